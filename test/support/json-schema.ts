import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js'

/**
 * Validates answers against the JSON Schemas (2020-12) of an OpenAPI 3.1 document, with ajv in strict
 * mode: a keyword or format ajv does not know fails loudly, so a spec that starts using one cannot pass
 * unchecked.
 *
 * `closed: true` also refuses properties no schema declares: every place a value sits (the answer
 * itself, a property, an array item) gets `unevaluatedProperties: false`, which sees through `allOf`,
 * `anyOf` and `$ref`; the branches of an `allOf` stay open, since each describes only part of the object.
 */
export type JsonSchema = boolean | { [keyword: string]: unknown }

export interface ValidateOptions {
  /** The OpenAPI document `$ref`s point into (`#/components/schemas/…`). */
  root: unknown
  closed?: boolean
}

const COMPONENTS_REF = '#/components/schemas/'
const COMPONENTS_ID = 'urn:colis:openapi-components'

/** OpenAPI 3.1 adds `example` (deprecated, still emitted) to the JSON Schema vocabulary. */
const OPENAPI_KEYWORDS = ['example']

const FORMATS: Record<string, (value: string) => boolean> = {
  // RFC 3339: an offset (or Z) is required.
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)),
  date: (value) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
  // RFC 3986: an absolute URI, scheme first.
  uri: (value) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(value) && URL.canParse(value),
  // An addr-spec as e-mail forms check it: something, one @, a domain with a dot.
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
}

const isSchemaObject = (schema: unknown): schema is Record<string, unknown> =>
  typeof schema === 'object' && schema !== null && !Array.isArray(schema)

/**
 * A copy of `schema` whose `$ref`s point at the components document, closed where a value sits when
 * `closed` (see above). `atValue`: this schema describes a whole value, not one `allOf` branch of it.
 */
function prepare(schema: unknown, closed: boolean, atValue: boolean): unknown {
  if (!isSchemaObject(schema)) return schema
  const copy: Record<string, unknown> = { ...schema }
  const each = (key: string, nextAtValue: boolean) => {
    const value = copy[key]
    if (Array.isArray(value)) copy[key] = value.map((branch) => prepare(branch, closed, nextAtValue))
  }
  const ref = copy.$ref
  if (typeof ref === 'string') {
    if (!ref.startsWith(COMPONENTS_REF))
      throw new Error(`only ${COMPONENTS_REF}… $refs are supported, got ${ref}`)
    copy.$ref = `${COMPONENTS_ID}#/$defs/${ref.slice(COMPONENTS_REF.length)}`
  }
  if (isSchemaObject(copy.properties)) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([name, property]) => [name, prepare(property, closed, true)]),
    )
  }
  for (const key of ['items', 'additionalProperties']) {
    if (copy[key] !== undefined) copy[key] = prepare(copy[key], closed, true)
  }
  each('allOf', false)
  each('anyOf', atValue)
  each('oneOf', atValue)
  const describesObject = copy.properties !== undefined || copy.allOf !== undefined || copy.$ref !== undefined
  if (closed && atValue && describesObject) copy.unevaluatedProperties = false
  return copy
}

function createValidator(root: unknown, closed: boolean) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false })
  for (const keyword of OPENAPI_KEYWORDS) ajv.addKeyword({ keyword })
  for (const [name, validate] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate })
  const components = isSchemaObject(root) && isSchemaObject(root.components) ? root.components.schemas : {}
  const defs = Object.fromEntries(
    Object.entries(isSchemaObject(components) ? components : {}).map(([name, schema]) => [
      name,
      // A component is closed where it is used, not in itself: it may be one branch of an allOf.
      prepare(schema, closed, false),
    ]),
  )
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: defs })
  const compiled = new Map<string, ValidateFunction>()
  return (schema: JsonSchema): ValidateFunction => {
    const prepared = prepare(schema, closed, true) as JsonSchema
    const key = JSON.stringify(prepared)
    const known = compiled.get(key)
    if (known) return known
    const validate = ajv.compile(prepared)
    compiled.set(key, validate)
    return validate
  }
}

const validators = new WeakMap<object, Map<boolean, ReturnType<typeof createValidator>>>()

function validatorFor(root: unknown, closed: boolean) {
  if (!isSchemaObject(root)) return createValidator(root, closed)
  const byClosed = validators.get(root) ?? new Map<boolean, ReturnType<typeof createValidator>>()
  validators.set(root, byClosed)
  const known = byClosed.get(closed)
  if (known) return known
  const created = createValidator(root, closed)
  byClosed.set(closed, created)
  return created
}

function describeError(error: ErrorObject): string {
  const at = error.instancePath || '/'
  if (error.keyword === 'unevaluatedProperties') {
    return `${at}: property "${String(error.params.unevaluatedProperty)}" is not in the schema`
  }
  return `${at}: ${error.message ?? error.keyword} ${JSON.stringify(error.params)}`
}

/** Every way `value` breaks `schema`, as `pointer: message` lines; empty when it conforms. */
export function validateJsonSchema(schema: JsonSchema, value: unknown, options: ValidateOptions): string[] {
  const validate = validatorFor(options.root, options.closed === true)(schema)
  if (validate(value)) return []
  return (validate.errors ?? []).map(describeError)
}
