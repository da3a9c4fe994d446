import type { Context } from 'hono'
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

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) {
    throw new ApiError('validation_failed', 'some fields are not valid; see errors', {
      errors: toFieldErrors(parsed.error),
    })
  }
  return parsed.data
}

export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw new ApiError('unsupported_media_type')
  let body: unknown
  try {
    body = JSON.parse(await c.req.text())
  } catch {
    throw new ApiError('invalid_json')
  }
  return parseWith(schema, body)
}
