import { z } from 'zod'
import { isValidTimeZone, PARIS } from '../../src/domain/paris-time.js'
import { normalizeTrackingNumber } from '../../src/domain/tracking-number.js'
import { checkJsonExtraction } from './extract-json.js'
import { checkMarkupExtraction } from './extract-markup.js'
import { EXTRACTION_SCHEMA, NOT_FOUND_SCHEMA, type ReportIssue } from './extraction-schema.js'
import { DEFINITION_REGEX_FLAGS, DEFINITION_REGEX_SCHEMA, STATUS_MAPPING_SCHEMA } from './map-status.js'
import { compileDateFormat } from './parse-date.js'
import { REQUEST_DEFINITION_SCHEMA } from './request-schema.js'

/** A definition file that cannot be used; `message` lists every issue as `path: why`. */
export class CarrierDefinitionError extends Error {
  override readonly name = 'CarrierDefinitionError'
  readonly issues: string[]

  constructor(issues: string[], source?: string) {
    const where = source ? ` in ${source}` : ''
    super(`invalid carrier definitions${where}:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`)
    this.issues = issues
  }
}

/** The whole normalized number must match: the pattern is anchored. */
export function compileNumberPattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, DEFINITION_REGEX_FLAGS)
}

// zod still runs a carrier's refinement when one of its own patterns was refused: that one is reported already.
function matchesNumberPattern(pattern: string, trackingNumber: string): boolean {
  try {
    return compileNumberPattern(pattern).test(trackingNumber)
  } catch {
    return true
  }
}

const dateFormat = z.string().superRefine((format, ctx) => {
  const compiled = compileDateFormat(format)
  if (typeof compiled === 'string') ctx.addIssue({ code: 'custom', message: `"${format}": ${compiled}` })
})

const dates = z.strictObject({
  formats: z.array(dateFormat).min(1).default(['iso']),
  timeZone: z
    .string()
    .refine(isValidTimeZone, { error: (issue) => `${JSON.stringify(issue.input)} is not an IANA time zone` })
    .default(PARIS),
})

/** `reservedIds`: the built-in carriers' ids, which a definition cannot take over. */
const carrierSchema = (reservedIds: readonly string[]) =>
  z
    .strictObject({
      id: z
        .string()
        .regex(
          /^[a-z][a-z0-9-]{1,31}$/,
          'must be 2 to 32 lower-case letters, digits or "-", starting with a letter',
        )
        .refine((id) => !reservedIds.includes(id), {
          error: (issue) => `${JSON.stringify(issue.input)} is a built-in carrier`,
        }),
      name: z.string().trim().min(1).max(80),
      numbers: z.strictObject({ pattern: DEFINITION_REGEX_SCHEMA, example: z.string().optional() }),
      request: REQUEST_DEFINITION_SCHEMA,
      response: z.strictObject({ kind: z.enum(['json', 'html', 'xml']) }),
      extraction: EXTRACTION_SCHEMA,
      dates: dates.default({ formats: ['iso'], timeZone: PARIS }),
      statusMapping: STATUS_MAPPING_SCHEMA,
      notFound: NOT_FOUND_SCHEMA.optional(),
    })
    .superRefine((definition, ctx) => {
      const report: ReportIssue = (path, message) => ctx.addIssue({ code: 'custom', path, message })
      if (definition.response.kind === 'json')
        checkJsonExtraction(definition.extraction, definition.notFound, report)
      else checkMarkupExtraction(definition.extraction, definition.notFound, report)
      const hasParcelStatus = definition.extraction.parcelStatus !== undefined
      if (hasParcelStatus !== (definition.statusMapping.parcelStatus !== undefined)) {
        report(
          hasParcelStatus ? ['statusMapping', 'parcelStatus'] : ['extraction', 'parcelStatus'],
          'extraction.parcelStatus and statusMapping.parcelStatus go together',
        )
      }
      const { pattern, example } = definition.numbers
      if (example !== undefined && !matchesNumberPattern(pattern, normalizeTrackingNumber(example))) {
        report(['numbers', 'example'], `"${example}" does not match numbers.pattern`)
      }
    })

const definitionFileSchema = (reservedIds: readonly string[]) =>
  z.strictObject({ carriers: z.array(carrierSchema(reservedIds)) }).superRefine((file, ctx) => {
    const firstIndex = new Map<string, number>()
    for (const [index, definition] of file.carriers.entries()) {
      const first = firstIndex.get(definition.id)
      if (first === undefined) firstIndex.set(definition.id, index)
      else
        ctx.addIssue({
          code: 'custom',
          path: ['carriers', index, 'id'],
          message: `"${definition.id}" is already used by carriers[${first}]`,
        })
    }
  })

export type GenericCarrierDefinition = z.output<ReturnType<typeof carrierSchema>>

/**
 * Validates a parsed definition file `{ "carriers": [...] }` whose ids may not be `reservedIds`; throws
 * `CarrierDefinitionError` listing every issue.
 */
export function parseCarrierDefinitions(
  json: unknown,
  reservedIds: readonly string[],
  source?: string,
): GenericCarrierDefinition[] {
  const result = definitionFileSchema(reservedIds).safeParse(json, {
    error: (issue) => {
      if (issue.code === 'invalid_type') {
        return issue.input === undefined
          ? 'required'
          : `expected ${issue.expected}, got ${describeValue(issue.input)}`
      }
      if (issue.code === 'unrecognized_keys')
        return `unknown key ${issue.keys.map((key) => `"${key}"`).join(', ')}`
      return undefined
    },
  })
  if (result.success) return result.data.carriers
  throw new CarrierDefinitionError(
    result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    source,
  )
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : typeof value
}

/** `carriers[1].statusMapping.codes["A B"]`: the path a reader finds in the file. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)'
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`
      const name = String(key)
      if (!/^[A-Za-z_$][\w$-]*$/.test(name)) return `[${JSON.stringify(name)}]`
      return index === 0 ? name : `.${name}`
    })
    .join('')
}
