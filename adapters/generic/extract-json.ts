import { CarrierError } from '../contract.js'
import {
  DOCUMENT_FIELDS,
  type ExtractionDefinition,
  type FieldDefinition,
  type JsonNotFoundDefinition,
  type NotFoundDefinition,
  type ReportIssue,
} from './extraction-schema.js'
import { cutFieldText, type ExtractedBody, type RawGenericEvent } from './map-events.js'
import { DEFINITION_REGEX_FLAGS } from './map-status.js'

/** Keys and array indexes from the root of a JSON value. */
export type JsonPath = ReadonlyArray<string | number>

const PATH_PART = /^([^.[\]|]*)((?:\[\d+\])*)$/

/**
 * Reads a dot path: `parcel.events`, `data.items[0].history`, `a.0.b`; `$` is the body itself. Paths
 * joined by `|` are alternatives, the first that holds a value is read (`tuStatus[0].history|history`).
 * Undefined when the text is no path.
 */
export function parseJsonPath(text: string): JsonPath[] | undefined {
  const alternatives: JsonPath[] = []
  for (const alternative of text.split('|')) {
    const path = parseOnePath(alternative.trim())
    if (!path) return undefined
    alternatives.push(path)
  }
  return alternatives
}

function parseOnePath(text: string): JsonPath | undefined {
  if (text === '$') return []
  const path: Array<string | number> = []
  for (const part of text.split('.')) {
    const match = part.match(PATH_PART)
    if (!match || part === '') return undefined
    if (match[1]) path.push(match[1])
    for (const index of (match[2] ?? '').matchAll(/\d+/g)) path.push(Number(index[0]))
  }
  return path
}

/**
 * The value at the first alternative that holds one (neither undefined nor null); own properties only,
 * so `constructor` or `__proto__` never resolve.
 */
export function readJsonPath(value: unknown, alternatives: readonly JsonPath[]): unknown {
  let found: unknown
  for (const path of alternatives) {
    found = readOnePath(value, path)
    if (found !== undefined && found !== null) return found
  }
  return found
}

function readOnePath(value: unknown, path: JsonPath): unknown {
  let current = value
  for (const key of path) {
    if (Array.isArray(current)) {
      const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : Number.NaN
      current = current[index]
    } else if (typeof current === 'object' && current !== null && typeof key === 'string') {
      current = Object.hasOwn(current, key) ? (current as Record<string, unknown>)[key] : undefined
    } else {
      return undefined
    }
  }
  return current
}

/** Every field a definition reads, with its path in the definition (for error messages). */
export function listFieldDefinitions(
  extraction: ExtractionDefinition,
): Array<{ at: Array<string | number>; field: FieldDefinition }> {
  const fields = Object.entries(extraction.fields).flatMap(([name, field]) =>
    field ? [{ at: ['extraction', 'fields', name], field }] : [],
  )
  for (const name of DOCUMENT_FIELDS) {
    const field = extraction[name]
    if (field) fields.push({ at: ['extraction', name], field })
  }
  return fields
}

const ONLY_MARKUP = 'only applies to html and xml responses'

export function checkJsonExtraction(
  extraction: ExtractionDefinition,
  notFound: NotFoundDefinition | undefined,
  report: ReportIssue,
): void {
  const notAPath = (text: string) =>
    `"${text}" is not a JSON path (keys and [n] indexes joined by ".", alternatives by "|")`
  if (!parseJsonPath(extraction.events)) report(['extraction', 'events'], notAPath(extraction.events))
  for (const { at, field } of listFieldDefinitions(extraction)) {
    if (!parseJsonPath(field.from)) report([...at, 'from'], notAPath(field.from))
    if (field.attribute !== undefined) report([...at, 'attribute'], ONLY_MARKUP)
  }
  const jsonPath = notFound?.jsonPath?.path
  if (jsonPath !== undefined && !parseJsonPath(jsonPath))
    report(['notFound', 'jsonPath', 'path'], notAPath(jsonPath))
  if (notFound?.selector !== undefined)
    report(['notFound', 'selector'], `${ONLY_MARKUP}; use notFound.jsonPath`)
}

interface CompiledJsonField {
  name: string
  path: JsonPath[]
  pattern?: RegExp
}

function compileField(name: string, field: FieldDefinition): CompiledJsonField {
  const path = parseJsonPath(field.from)
  if (!path) throw new TypeError(`${name}: "${field.from}" is not a JSON path`)
  return {
    name,
    path,
    pattern: field.pattern ? new RegExp(field.pattern, DEFINITION_REGEX_FLAGS) : undefined,
  }
}

/** Builds the reader of a JSON carrier's bodies; it throws only `unexpected_response`. */
export function createJsonExtractor(
  carrier: string,
  extraction: ExtractionDefinition,
  notFound: JsonNotFoundDefinition | undefined,
): (body: string) => ExtractedBody {
  const eventsPath = compileField('events', { from: extraction.events }).path
  const fields = Object.entries(extraction.fields).flatMap(([name, field]) =>
    field ? [compileField(name, field)] : [],
  )
  const documentFields = DOCUMENT_FIELDS.flatMap((name) => {
    const field = extraction[name]
    return field ? [{ name, field: compileField(name, field) }] : []
  })
  const notFoundPath = notFound && compileField('notFound', { from: notFound.path }).path
  const unexpected = (why: string) => new CarrierError('unexpected_response', `${carrier}: ${why}`)

  const readText = (value: unknown, field: CompiledJsonField): string | undefined => {
    const found = readJsonPath(value, field.path)
    if (found === undefined || found === null) return undefined
    if (typeof found === 'object') throw unexpected(`${field.name} is not a text`)
    return cutFieldText(String(found), field.pattern)
  }

  return (body) => {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch (error) {
      throw new CarrierError('unexpected_response', `${carrier}: the body is not JSON`, { cause: error })
    }
    if (notFound && notFoundPath && matchesNotFound(readJsonPath(json, notFoundPath), notFound)) {
      return { found: false }
    }
    const list = readJsonPath(json, eventsPath)
    if (!Array.isArray(list)) throw unexpected(`no event list at "${extraction.events}"`)
    const events = list.map((item, index): RawGenericEvent => {
      if (typeof item !== 'object' || item === null) throw unexpected(`event ${index + 1} is not an object`)
      return Object.fromEntries(fields.map((field) => [field.name, readText(item, field)]))
    })
    if (extraction.order === 'newestFirst') events.reverse()
    const document = Object.fromEntries(
      documentFields.map(({ name, field }) => [name, readText(json, field)]),
    )
    return { found: true, document: { ...document, events } }
  }
}

function matchesNotFound(value: unknown, notFound: JsonNotFoundDefinition): boolean {
  if (!('equals' in notFound)) return value !== undefined && value !== null
  return value === notFound.equals
}
