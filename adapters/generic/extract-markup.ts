import { type CheerioAPI, load } from 'cheerio'
import { CarrierError } from '../contract.js'
import { listFieldDefinitions } from './extract-json.js'
import {
  DOCUMENT_FIELDS,
  type ExtractionDefinition,
  type FieldDefinition,
  type NotFoundDefinition,
  type ReportIssue,
} from './extraction-schema.js'
import { cutFieldText, type ExtractedBody, type RawGenericEvent } from './map-events.js'
import { DEFINITION_REGEX_FLAGS } from './map-status.js'

const EMPTY_DOCUMENT = load('')

/** Why `selector` is no CSS selector cheerio can run; undefined when it is one. */
export function checkSelector(selector: string): string | undefined {
  try {
    // `find`, not `$(…)`: `$` would build elements from a string starting with `<`.
    EMPTY_DOCUMENT.root().find(selector)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

/** Elements a selector found, in the page or in one event row. */
type FoundElements = ReturnType<ReturnType<CheerioAPI['root']>['find']>

export function checkMarkupExtraction(
  extraction: ExtractionDefinition,
  notFound: NotFoundDefinition | undefined,
  report: ReportIssue,
): void {
  const checkAt = (at: Array<string | number>, selector: string) => {
    const problem = checkSelector(selector)
    if (problem) report(at, `"${selector}" is not a CSS selector: ${problem}`)
  }
  checkAt(['extraction', 'events'], extraction.events)
  for (const { at, field } of listFieldDefinitions(extraction)) checkAt([...at, 'from'], field.from)
  if (notFound?.selector !== undefined) checkAt(['notFound', 'selector'], notFound.selector)
  if (notFound?.jsonPath !== undefined) {
    report(['notFound', 'jsonPath'], 'only applies to json responses; use notFound.selector')
  }
}

interface CompiledMarkupField {
  name: string
  selector: string
  attribute?: string
  pattern?: RegExp
}

function compileField(name: string, field: FieldDefinition): CompiledMarkupField {
  const pattern = field.pattern ? new RegExp(field.pattern, DEFINITION_REGEX_FLAGS) : undefined
  return { name, selector: field.from, attribute: field.attribute, pattern }
}

function readText(find: (selector: string) => FoundElements, field: CompiledMarkupField): string | undefined {
  const element = find(field.selector).first()
  if (element.length === 0) return undefined
  const raw = field.attribute ? element.attr(field.attribute) : element.text()
  return cutFieldText(raw?.replace(/\s+/g, ' '), field.pattern)
}

/**
 * Builds the reader of an HTML or XML carrier's pages: event rows by a CSS selector, each field by a
 * selector inside its row. A page with no row is refused: a tracking page always shows at least one
 * step once the parcel exists, and a "no such parcel" page is told by `notFound`.
 */
export function createMarkupExtractor(
  carrier: string,
  kind: 'html' | 'xml',
  extraction: ExtractionDefinition,
  notFoundSelector: string | undefined,
): (body: string) => ExtractedBody {
  const fields = Object.entries(extraction.fields).flatMap(([name, field]) =>
    field ? [compileField(name, field)] : [],
  )
  const documentFields = DOCUMENT_FIELDS.flatMap((name) => {
    const field = extraction[name]
    return field ? [compileField(name, field)] : []
  })

  return (body) => {
    const $: CheerioAPI = load(body, { xml: kind === 'xml' })
    const root = $.root()
    if (notFoundSelector && root.find(notFoundSelector).length > 0) return { found: false }
    const rows = root.find(extraction.events).toArray()
    if (rows.length === 0) {
      throw new CarrierError('unexpected_response', `${carrier}: no "${extraction.events}" row in the page`)
    }
    const events = rows.map(
      (row): RawGenericEvent =>
        Object.fromEntries(
          fields.map((field) => [field.name, readText((selector) => $(row).find(selector), field)]),
        ),
    )
    if (extraction.order === 'newestFirst') events.reverse()
    const document = Object.fromEntries(
      documentFields.map((field) => [field.name, readText((selector) => root.find(selector), field)]),
    )
    return { found: true, document: { ...document, events } }
  }
}
