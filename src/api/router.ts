import { OpenAPIHono, type z } from '@hono/zod-openapi'
import type { ApiEnv } from './api-env.js'
import { rejectInvalidInput } from './validation.js'

/** A sub-app whose routes are documented in /openapi.json and answer invalid input with our problem. */
export function createRouter() {
  return new OpenAPIHono<ApiEnv>({ defaultHook: rejectInvalidInput })
}

/** A JSON answer, for `createRoute`'s `responses`. */
export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

/** A required JSON body, for `createRoute`'s `request`; pair it with the `requireJsonBody` middleware. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true as const, content: { 'application/json': { schema } } }
}
