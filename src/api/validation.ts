import type { MiddlewareHandler } from 'hono'
import type { z } from 'zod'
import { ApiError, type FieldError } from './problem.js'

function toPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/** One error per bad field: an unknown key points at itself, not at the object that holds it. */
function toFieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: toPointer([...issue.path, key]),
          detail: `unknown field "${key}"`,
        }))
      : [{ pointer: toPointer(issue.path), detail: issue.message }],
  )
}

function invalidInput(error: z.ZodError): ApiError {
  return new ApiError('validation_failed', 'some fields are not valid; see errors', {
    errors: toFieldErrors(error),
  })
}

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw invalidInput(parsed.error)
  return parsed.data
}

/**
 * The `defaultHook` of every router: a request the route's schemas refuse is a `validation_failed`
 * problem, except a path id of the wrong shape, which names nothing: `not_found`, as an unknown id.
 */
export function rejectInvalidInput(
  result: ({ success: true } | { success: false; error: z.ZodError }) & { target: string },
): undefined {
  if (result.success) return
  if (result.target === 'param') throw new ApiError('not_found', result.error.issues[0]?.message)
  throw invalidInput(result.error)
}

/**
 * `application/json` (with parameters, or a `+json` suffix) as the route validator accepts it;
 * anything else would reach it as a bare 415, so it is refused here with our problem instead.
 */
const JSON_MEDIA_TYPE = /^application\/([a-z.-]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i

/**
 * Runs before a route's body validator, so that a wrong media type or a body that is not JSON get
 * their own codes rather than a `validation_failed` about an empty object.
 */
export const requireJsonBody: MiddlewareHandler = async (c, next) => {
  if (!JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) throw new ApiError('unsupported_media_type')
  try {
    // Cached by Hono: the validator that follows reads the same text.
    JSON.parse(await c.req.text())
  } catch {
    throw new ApiError('invalid_json')
  }
  await next()
}
