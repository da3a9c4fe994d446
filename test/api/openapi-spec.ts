import { expect } from 'vitest'
import type { JsonSchema } from '../support/json-schema.js'

export interface Operation {
  responses: Record<
    string,
    { content?: Record<string, { schema: JsonSchema }>; headers?: Record<string, { required?: boolean }> }
  >
}
export interface Spec {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, JsonSchema> }
}

/** Routes that are not part of the API the spec describes: the docs themselves, operations, admin. */
const UNDOCUMENTED = [/^\/openapi\.json$/, /^\/docs(\/|$)/, /^\/metrics$/, /^\/admin(\/|$)/]
export const isDocumented = (path: string) => !UNDOCUMENTED.some((pattern) => pattern.test(path))

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']

export function specOperations(spec: Spec): string[] {
  return Object.entries(spec.paths)
    .filter(([path]) => isDocumented(path))
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => HTTP_METHODS.includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
}

/** `/v1/trackings/{id}` for `/v1/trackings/trk_1`; literal segments win over parameters. */
export function templateOf(spec: Spec, method: string, path: string): string | undefined {
  const templates = Object.keys(spec.paths)
    .filter((template) => spec.paths[template]?.[method.toLowerCase()])
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))
  return templates.find((template) => new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
}

/** The document the app serves at `/openapi.json`, without an API key. */
export async function fetchSpec(app: { request(path: string): Response | Promise<Response> }): Promise<Spec> {
  const response = await app.request('/openapi.json')
  expect(response.status).toBe(200)
  return (await response.json()) as Spec
}
