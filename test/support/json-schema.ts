/**
 * A JSON Schema (2020-12) validator for the subset /openapi.json uses; no validator package is a
 * dependency, and zod cannot read JSON Schema. A keyword it does not know fails loudly, so a spec that
 * starts using one cannot pass unchecked.
 *
 * `closed: true` also refuses properties no schema declares (what `unevaluatedProperties: false`
 * would say), across `allOf`: a response field the spec does not document is an error.
 */
export type JsonSchema = boolean | { [keyword: string]: unknown }

export interface ValidateOptions {
  /** The document `$ref`s point into (`#/components/schemas/…`). */
  root: unknown
  closed?: boolean
}

const ANNOTATIONS = new Set([
  'description',
  'example',
  'examples',
  'title',
  'default',
  'deprecated',
  'readOnly',
  'writeOnly',
])

const KNOWN = new Set([
  ...ANNOTATIONS,
  '$ref',
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'format',
  'allOf',
  'anyOf',
  'oneOf',
])

const FORMATS: Record<string, (value: string) => boolean> = {
  // RFC 3339: an offset (or Z) is required.
  'date-time': (value) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value) &&
    !Number.isNaN(Date.parse(value)),
  date: (value) =>
    /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value)
  return actual === type || (type === 'number' && actual === 'integer')
}

function resolve(ref: string, root: unknown): JsonSchema {
  if (!ref.startsWith('#/')) throw new Error(`only local $ref are supported, got ${ref}`)
  let node: unknown = root
  for (const part of ref.slice(2).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof node !== 'object' || node === null || !(key in node)) throw new Error(`unresolved $ref ${ref}`)
    node = (node as Record<string, unknown>)[key]
  }
  return node as JsonSchema
}

interface Outcome {
  errors: string[]
  /** Property names some schema declared, for the `closed` check. */
  evaluated: Set<string>
}

function validateNode(
  schema: JsonSchema,
  value: unknown,
  at: string,
  options: ValidateOptions,
  inAllOf: boolean,
): Outcome {
  const evaluated = new Set<string>()
  if (schema === true) return { errors: [], evaluated }
  if (schema === false) return { errors: [`${at}: no value is allowed here`], evaluated }
  for (const keyword of Object.keys(schema)) {
    if (!KNOWN.has(keyword)) throw new Error(`${at}: unsupported JSON Schema keyword "${keyword}"`)
  }
  const errors: string[] = []
  const fail = (message: string) => errors.push(`${at || '/'}: ${message}`)
  const merge = (outcome: Outcome) => {
    for (const key of outcome.evaluated) evaluated.add(key)
  }

  if (typeof schema.$ref === 'string') {
    const outcome = validateNode(resolve(schema.$ref, options.root), value, at, options, inAllOf)
    errors.push(...outcome.errors)
    merge(outcome)
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string]
    if (!types.some((type) => hasType(value, type)))
      fail(`expected ${types.join(' or ')}, got ${typeOf(value)}`)
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => Object.is(option, value))) {
    fail(`expected one of ${JSON.stringify(schema.enum)}, got ${JSON.stringify(value)}`)
  }
  if ('const' in schema && !Object.is(schema.const, value)) fail(`expected ${JSON.stringify(schema.const)}`)

  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) fail('too short')
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) fail('too long')
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      fail(`does not match ${schema.pattern}`)
    }
    if (typeof schema.format === 'string') {
      const check = FORMATS[schema.format]
      if (!check) throw new Error(`${at}: unsupported format "${schema.format}"`)
      if (!check(value)) fail(`not a ${schema.format}: ${JSON.stringify(value)}`)
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) fail(`below ${schema.minimum}`)
    if (typeof schema.maximum === 'number' && value > schema.maximum) fail(`above ${schema.maximum}`)
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) fail('too small')
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) fail('too large')
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) fail('too few items')
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) fail('too many items')
    if (schema.items !== undefined) {
      value.forEach((item, index) => {
        errors.push(
          ...validateNode(schema.items as JsonSchema, item, `${at}/${index}`, options, false).errors,
        )
      })
    }
  }

  const isObject = typeOf(value) === 'object'
  if (isObject) {
    const object = value as Record<string, unknown>
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
    for (const name of (schema.required ?? []) as string[]) {
      if (!(name in object)) fail(`missing required property "${name}"`)
    }
    for (const [name, propertySchema] of Object.entries(properties)) {
      evaluated.add(name)
      if (name in object) {
        errors.push(...validateNode(propertySchema, object[name], `${at}/${name}`, options, false).errors)
      }
    }
    if (schema.additionalProperties !== undefined) {
      for (const name of Object.keys(object)) {
        if (name in properties) continue
        evaluated.add(name)
        errors.push(
          ...validateNode(
            schema.additionalProperties as JsonSchema,
            object[name],
            `${at}/${name}`,
            options,
            false,
          ).errors,
        )
      }
    }
  }

  if (Array.isArray(schema.allOf)) {
    for (const branch of schema.allOf as JsonSchema[]) {
      const outcome = validateNode(branch, value, at, options, true)
      errors.push(...outcome.errors)
      merge(outcome)
    }
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = schema[keyword]
    if (!Array.isArray(branches)) continue
    const outcomes = (branches as JsonSchema[]).map((branch) =>
      validateNode(branch, value, at, options, inAllOf),
    )
    const passing = outcomes.filter((outcome) => outcome.errors.length === 0)
    if (passing.length === 0) {
      fail(
        `matches no branch of ${keyword}: ${outcomes.map((outcome) => outcome.errors.join(', ')).join(' | ')}`,
      )
    } else if (keyword === 'oneOf' && passing.length > 1) {
      fail(`matches ${passing.length} branches of oneOf`)
    }
    for (const outcome of passing) merge(outcome)
  }

  // Checked where the object's whole description is known: not inside one branch of an allOf.
  if (options.closed && isObject && !inAllOf && (schema.properties || schema.allOf)) {
    for (const name of Object.keys(value as object)) {
      if (!evaluated.has(name)) fail(`property "${name}" is not in the schema`)
    }
  }
  return { errors, evaluated }
}

/** Every way `value` breaks `schema`, as `pointer: message` lines; empty when it conforms. */
export function validateJsonSchema(schema: JsonSchema, value: unknown, options: ValidateOptions): string[] {
  return validateNode(schema, value, '', options, false).errors
}
