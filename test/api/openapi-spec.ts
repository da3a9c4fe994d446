import { expect } from 'vitest'
import type { JsonSchema } from '../support/json-schema.js'

export interface Operation {
  operationId?: string
  parameters?: Array<{ name: string; in: string; required?: boolean }>
  requestBody?: { content: Record<string, { schema: JsonSchema }> }
  responses: Record<
    string,
    { content?: Record<string, { schema: JsonSchema }>; headers?: Record<string, { required?: boolean }> }
  >
}
export interface Spec {
  openapi: string
  servers?: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
  webhooks?: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, JsonSchema>; securitySchemes?: Record<string, unknown> }
}

/**
 * Routes the spec leaves out: Swagger UI's assets, the queue dashboard's own API and assets (bull-board's),
 * the shoppers' tracking pages and order lookup, the merchant dashboard (HTML for browsers, docs/api.md).
 */
const UNDESCRIBED = [/^\/docs\/assets\//, /^\/admin\/queues\/./, /^\/t\//, /^\/track\//, /^\/dashboard(\/|$)/]
export const isDescribed = (path: string) => !UNDESCRIBED.some((pattern) => pattern.test(path))

/** Described, but for operators and browsers rather than merchants' code. */
const OPERATOR = [/^\/openapi\.json$/, /^\/docs$/, /^\/metrics$/, /^\/admin(\/|$)/]
const isMerchantApi = (path: string) => !OPERATOR.some((pattern) => pattern.test(path))

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']

/** `METHOD /path` of every operation: the merchant API's, or (`all`) the operator routes' too. */
export function specOperations(spec: Spec, { all = false } = {}): string[] {
  return Object.entries(spec.paths)
    .filter(([path]) => all || isMerchantApi(path))
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
