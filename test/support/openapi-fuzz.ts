import fc from 'fast-check'
import { laPoste13CheckDigit } from '../../adapters/number-formats.js'
import { SANDBOX_SCENARIO_NAMES } from '../../adapters/sandbox/scenarios.js'

/**
 * Requests derived from an OpenAPI 3.1 document (what /openapi.json serves): for each operation, path
 * ids, query parameters and JSON bodies drawn from its own schemas, mostly valid, with hostile values
 * mixed in at every level (wrong types, huge strings, deep nesting, odd ids, dates at the ends of the
 * calendar, broken JSON, wrong media types, missing or wrong credentials). Known
 * JSON Schema → fast-check converters target fast-check 1 or produce valid data only: this one covers
 * the keywords colis' schemas use.
 */

type Schema = { [keyword: string]: unknown }
interface Parameter {
  name: string
  in: string
  required?: boolean
  schema?: Schema
}
interface Operation {
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  security?: Array<Record<string, unknown>>
}
export interface FuzzSpec {
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, Schema> }
  security?: Array<Record<string, unknown>>
}

export interface FuzzRequest {
  /** `METHOD /template` of the operation it was drawn from. */
  operation: string
  method: string
  path: string
  headers: Record<string, string>
  body?: string
}

export interface FuzzContext {
  /** Credentials by security scheme name (`apiKey`, `adminToken`, `metricsToken`). */
  credentials: Record<string, string>
  /** Ids that exist, by path parameter (`trackings.id`, `webhooks.id`, `subscriptionId`…). */
  knownIds: Record<string, readonly string[]>
}

/** A piece of JSON text kept as is: nesting deeper than a recursive serializer would survive. */
class RawJson {
  constructor(readonly text: string) {}
}

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`
  if (value && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${toJson(item)}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\u202Eevil',
  '../../etc/passwd',
  '%00',
  '{}',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  'null',
  '-1',
  '1e309',
  'trk_x:subs',
  '*',
  '\\',
]

const HOSTILE_DATES = [
  '9999-12-31',
  '9999-12-20',
  '0000-01-01',
  '0001-01-01',
  '1970-01-01',
  '2026-02-30',
  '2026-13-01',
  '+275760-09-13',
  '2026-03-09T25:00:00+01:00',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
]

/** Objects or arrays nested `depth` levels deep, as text. */
const deeplyNested = fc
  .tuple(fc.integer({ min: 50, max: 12_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
      : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  )

/** A value of the wrong kind, or of the right kind at an extreme. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS, ...HOSTILE_DATES),
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1_000, max: 120_000 }).map((length) => 'x'.repeat(length)),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  deeplyNested,
  fc
    .integer({ min: 1, max: 5_000 })
    .map((keys) => Object.fromEntries(Array.from({ length: keys }, (_, index) => [`k${index}`, index]))),
)

/** Values that reach deeper than a schema alone would: real tracking numbers, carriers, URLs. */
const HINTS: Record<string, fc.Arbitrary<unknown>> = {
  trackingNumber: fc.oneof(
    fc
      .constantFrom(...SANDBOX_SCENARIO_NAMES)
      .chain((name) =>
        fc.integer({ min: 0, max: 999 }).map((serial) => `SBX${name}${String(serial).padStart(3, '0')}`),
      ),
    fc.integer({ min: 0, max: 9_999_999_999 }).map((serial) => {
      const digits = String(serial).padStart(10, '0')
      return `6A${digits}${laPoste13CheckDigit(digits)}`
    }),
    fc.constantFrom('XY746876977FR', 'XY746876978FR', '6A15602676300', '6A15602676301', 'EE123456789FR'),
  ),
  number: fc.constantFrom('XY746876977FR', '6A15602676300', 'SBXDELIVERED001', '1Z999AA10123456784'),
  carrier: fc.constantFrom('sandbox', 'laposte', 'chronopost', 'colissimo', 'nope'),
  url: fc.constantFrom(
    'https://93.184.216.34/hooks/colis',
    'http://127.0.0.1:9/hook',
    'http://169.254.169.254/latest/meta-data',
    'https://[::1]/',
    'ftp://93.184.216.34/',
    'https://user:pass@93.184.216.34/',
    'https://no-such-host.invalid/hook',
  ),
  destinationPostalCode: fc.constantFrom(
    '75001',
    '57000',
    '67000',
    '97400',
    '20000',
    '2A004',
    'abc',
    '999999',
  ),
  merchantId: fc.constantFrom('shop-1', 'shop.fuzz', '', 'a'.repeat(70), 'shop/../x'),
}

function resolve(schema: Schema, root: FuzzSpec): Schema {
  const ref = schema.$ref
  if (typeof ref !== 'string') return schema
  const name = ref.replace('#/components/schemas/', '')
  return root.components.schemas[name] ?? {}
}

const ISO_DATES = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString())

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date')
    return fc.oneof(
      ISO_DATES.map((iso) => iso.slice(0, 10)),
      fc.constantFrom(...HOSTILE_DATES),
    )
  if (schema.format === 'date-time') return fc.oneof(ISO_DATES, fc.constantFrom(...HOSTILE_DATES))
  if (typeof schema.pattern === 'string') {
    try {
      return fc.stringMatching(new RegExp(schema.pattern))
    } catch {
      // A pattern fast-check cannot generate from: plain strings below.
    }
  }
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 40
  return fc.string({ minLength, maxLength: Math.min(maxLength, 200) })
}

function numberOf(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000
  return integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true })
}

/**
 * A value for `schema`, valid most of the time; `hostile` of every 10 nodes is a hostile value
 * instead, and an object may lose a required property or gain an unknown one.
 */
export function fuzzValueOf(schema: Schema, root: FuzzSpec, name = '', depth = 0): fc.Arbitrary<unknown> {
  const valid = validValueOf(resolve(schema, root), root, name, depth)
  return fc.oneof({ weight: 9, arbitrary: valid }, { weight: 1, arbitrary: hostileValue })
}

function validValueOf(schema: Schema, root: FuzzSpec, name: string, depth: number): fc.Arbitrary<unknown> {
  const hint = HINTS[name]
  if (hint)
    return fc.oneof(
      { weight: 3, arbitrary: hint },
      { weight: 1, arbitrary: plainValueOf(schema, root, depth) },
    )
  return plainValueOf(schema, root, depth)
}

function plainValueOf(schema: Schema, root: FuzzSpec, depth: number): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined
  if (branches) return fc.oneof(...branches.map((branch) => fuzzValueOf(branch, root, '', depth + 1)))
  if (Array.isArray(schema.allOf)) {
    const merged = Object.assign({}, ...(schema.allOf as Schema[]).map((part) => resolve(part, root)))
    return plainValueOf(merged as Schema, root, depth)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'string':
      return stringOf(schema)
    case 'integer':
      return numberOf(schema, true)
    case 'number':
      return numberOf(schema, false)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {}
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 5, 5)
      return fc.array(fuzzValueOf(items, root, '', depth + 1), { minLength, maxLength })
    }
    case 'object':
      return objectOf(schema, root, depth)
    default:
      return fc.jsonValue({ maxDepth: 2 })
  }
}

function objectOf(schema: Schema, root: FuzzSpec, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>
  const required = new Set((schema.required ?? []) as string[])
  const model = Object.fromEntries(
    Object.entries(properties).map(([key, property]) => [key, fuzzValueOf(property, root, key, depth + 1)]),
  )
  const known = fc.record(model, { requiredKeys: [...required].filter((key) => key in model) })
  const free = fc.oneof(
    { weight: 9, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: deeplyNested },
  )
  const extra =
    schema.additionalProperties && typeof schema.additionalProperties === 'object'
      ? fc.dictionary(fc.string({ maxLength: 12 }), free, { maxKeys: 4 })
      : fc.constant({})
  return fc
    .tuple(
      known,
      extra,
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<'as-is'>('as-is') },
        { weight: 1, arbitrary: fc.constant<'drop-required'>('drop-required') },
        { weight: 1, arbitrary: fc.constant<'unknown-key'>('unknown-key') },
      ),
    )
    .map(([value, more, twist]) => {
      const object: Record<string, unknown> = { ...more, ...value }
      if (twist === 'drop-required') for (const key of required) delete object[key]
      if (twist === 'unknown-key') object.unexpectedField = 'x'
      return object
    })
}

/** Ids for a path parameter: real ones, ones of the right shape, and odd ones. */
function idOf(parameter: string, template: string, context: FuzzContext): fc.Arbitrary<string> {
  const collection = template.startsWith('/v1/webhooks') ? 'webhooks' : 'trackings'
  const known = context.knownIds[parameter === 'id' ? `${collection}.id` : parameter] ?? []
  const prefix =
    { id: collection === 'webhooks' ? 'whk_' : 'trk_', subscriptionId: 'whk_', deliveryId: 'dlv_' }[
      parameter
    ] ?? ''
  const shaped = fc.stringMatching(/^[A-Za-z0-9]{1,30}$/).map((tail) => `${prefix}${tail}`)
  const odd = fc.oneof(
    fc.constantFrom(
      ...HOSTILE_STRINGS.filter((text) => text !== ''),
      ':subs',
      ':deliveries',
      ':events',
      '..',
      '.',
      '%2e%2e',
      '%2F',
      '%ZZ',
      '%ED%A0%80',
      '%FF',
      '~',
      '{id}',
    ),
    ...known.map((id) =>
      fc.constantFrom(`${id}:subs`, `${id}:deliveries`, `${id}:alerts`, `${id}%3Asubs`, `${id}/`, `${id} `),
    ),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
    fc.integer({ min: 200, max: 20_000 }).map((length) => `${prefix}${'a'.repeat(length)}`),
  )
  return fc.oneof(
    ...(known.length > 0 ? [{ weight: 4, arbitrary: fc.constantFrom(...known) }] : []),
    { weight: 2, arbitrary: shaped },
    { weight: 3, arbitrary: odd },
  )
}

/** Percent-encodes every byte of the UTF-8 of `text` but the unreserved ones (lone surrogates included). */
const percentEncode = (text: string) =>
  [...Buffer.from(text, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')

/** A path segment as a client may send it: percent-encoded, or raw when the URL parser allows it. */
const encodeSegment = (id: string, raw: boolean) =>
  raw && /^[\x21-\x7e]+$/.test(id) && !/[?#/]/.test(id) ? id : percentEncode(id)

function queryValue(value: unknown): string {
  if (value instanceof RawJson) return value.text.slice(0, 2_000)
  return typeof value === 'string' ? value : toJson(value)
}

function queryOf(parameters: Parameter[], root: FuzzSpec): fc.Arbitrary<string> {
  const entries = parameters
    .filter((parameter) => parameter.in === 'query')
    .map((parameter) =>
      fc.option(
        fc.tuple(
          fc.constant(parameter.name),
          fuzzValueOf(parameter.schema ?? {}, root, parameter.name),
          fc.nat(9),
        ),
        { freq: 2 },
      ),
    )
  const unknown = fc.oneof(
    { weight: 9, arbitrary: fc.constant(null) },
    {
      weight: 1,
      arbitrary: fc.tuple(
        fc.constantFrom('unknown', 'limit[]', '__proto__', ''),
        hostileValue,
        fc.constant(1),
      ),
    },
  )
  return fc.tuple(fc.tuple(...entries), unknown).map(([chosen, extra]) => {
    const search = new URLSearchParams()
    for (const entry of [...chosen, extra]) {
      if (!entry) continue
      const [name, value, repeat] = entry
      search.append(name, queryValue(value))
      // A parameter given twice: an array to a parser that expects one value.
      if (repeat === 0) search.append(name, queryValue(value))
    }
    const text = search.toString()
    return text ? `?${text}` : ''
  })
}

const JSON_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/merge-patch+json']
const OTHER_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'multipart/form-data',
]

function bodyOf(schema: Schema | undefined, root: FuzzSpec): fc.Arbitrary<{ body?: string; type?: string }> {
  const json = schema ? fuzzValueOf(schema, root).map(toJson) : hostileValue.map(toJson)
  return fc.oneof(
    { weight: 12, arbitrary: fc.record({ body: json, type: fc.constantFrom(...JSON_TYPES) }) },
    { weight: 1, arbitrary: fc.record({ body: json, type: fc.constantFrom(...OTHER_TYPES) }) },
    { weight: 1, arbitrary: json.map((body) => ({ body })) },
    {
      weight: 1,
      arbitrary: fc.record({
        body: fc.oneof(
          fc.constantFrom('', '{', '{"trackingNumber":', 'null', '[]', '"x"', '\u0000', '{"a":1}{"b":2}'),
          fc.string({ unit: 'binary', maxLength: 200 }),
        ),
        type: fc.constant('application/json'),
      }),
    },
  )
}

function credentialOf(
  operation: Operation,
  spec: FuzzSpec,
  context: FuzzContext,
): fc.Arbitrary<string | undefined> {
  const security = operation.security ?? spec.security ?? []
  const scheme = Object.keys(security[0] ?? {})[0]
  const right = scheme ? context.credentials[scheme] : undefined
  const wrong = fc.constantFrom(
    undefined,
    `Bearer colis_abcdefghijkm_${'a'.repeat(43)}`,
    'Bearer ',
    'Basic Og==',
    'Bearer x y',
    `Bearer ${'k'.repeat(10_000)}`,
  )
  if (!right)
    return fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: wrong })
  return fc.oneof({ weight: 9, arbitrary: fc.constant(`Bearer ${right}`) }, { weight: 1, arbitrary: wrong })
}

const METHODS_WITH_BODY = new Set(['post', 'put', 'patch'])

/** One request of one operation of `spec`. */
function requestOf(
  template: string,
  method: string,
  operation: Operation,
  spec: FuzzSpec,
  context: FuzzContext,
) {
  const names = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string)
  const ids = fc.tuple(...names.map((name) => fc.tuple(idOf(name, template, context), fc.boolean())))
  const parameters = [...(operation.parameters ?? [])]
  const schema = operation.requestBody?.content?.['application/json']?.schema
  const body = METHODS_WITH_BODY.has(method) ? bodyOf(schema, spec) : fc.constant({})
  return fc
    .record({
      ids,
      query: queryOf(parameters, spec),
      body,
      authorization: credentialOf(operation, spec, context),
      // Now and then, another method on the same path.
      verb: fc.oneof(
        { weight: 19, arbitrary: fc.constant(method) },
        { weight: 1, arbitrary: fc.constantFrom('put', 'patch', 'delete', 'options', 'post', 'get') },
      ),
    })
    .map(({ ids: values, query, body: sent, authorization, verb }): FuzzRequest => {
      let path = template
      names.forEach((name, index) => {
        const [id, raw] = values[index] as [string, boolean]
        if (typeof id !== 'string')
          throw new Error(`no id for ${name} of ${template}: ${JSON.stringify(context.knownIds)}`)
        path = path.replace(`{${name}}`, encodeSegment(id, raw))
      })
      const headers: Record<string, string> = {}
      if (authorization) headers.authorization = authorization
      const { body: text, type } = sent as { body?: string; type?: string }
      if (type) headers['content-type'] = type
      return {
        operation: `${method.toUpperCase()} ${template}`,
        method: verb.toUpperCase(),
        path: `${path}${query}`,
        headers,
        ...(text === undefined || verb === 'get' ? {} : { body: text }),
      }
    })
}

/** Requests of every operation the document describes, each operation equally likely. */
export function fuzzedRequests(spec: FuzzSpec, context: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const operations = Object.entries(spec.paths).flatMap(([template, item]) =>
    Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, operation]) => requestOf(template, method, operation, spec, context)),
  )
  return fc.oneof(...operations)
}

export interface FuzzAnswer {
  status: number
  contentType: string | null
  requestId: string | null
  body: string
}

/** What is wrong with an answer: a 5xx, or an error that is not problem+json with its fields. */
export function answerFaults(answer: FuzzAnswer): string[] {
  const faults: string[] = []
  if (answer.status === 0) return [answer.body]
  if (answer.status >= 500) faults.push(`status ${answer.status}`)
  if (answer.status < 400) return faults
  if (!/^application\/problem\+json\b/.test(answer.contentType ?? '')) {
    faults.push(`content-type ${answer.contentType}`)
    return faults
  }
  let problem: Record<string, unknown>
  try {
    problem = JSON.parse(answer.body) as Record<string, unknown>
  } catch {
    return [...faults, 'a body that is not JSON']
  }
  for (const field of ['type', 'title', 'code'] as const) {
    if (typeof problem[field] !== 'string' || problem[field] === '') faults.push(`no ${field}`)
  }
  if (problem.status !== answer.status) faults.push(`status ${String(problem.status)} in the body`)
  if (typeof problem.requestId !== 'string' || problem.requestId !== answer.requestId)
    faults.push('no request id')
  return faults
}
