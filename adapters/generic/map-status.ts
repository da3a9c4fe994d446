import { z } from 'zod'
import { EVENT_STATUSES, type EventStatus } from '../../src/domain/tracking-status.js'

/** The flags every regular expression of a definition is compiled with, in validation and at run time. */
export const DEFINITION_REGEX_FLAGS = 'iu'

/** A regular expression written in a definition; refused with the engine's own reason. */
export const DEFINITION_REGEX_SCHEMA = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source, DEFINITION_REGEX_FLAGS)
  } catch (error) {
    const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : ''
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${why}` })
  }
})

const STATUS_SCHEMA = z.enum(EVENT_STATUSES, {
  error: (issue) =>
    issue.input === undefined
      ? undefined
      : `${JSON.stringify(issue.input)} is not an event status (${EVENT_STATUSES.join(', ')})`,
})

/**
 * `codes`: carrier code → status, exact match on the trimmed code. `patterns`: tried in order on the
 * description, case- and accent-insensitively, the first match wins; for carriers that send no codes.
 * `prefer`: which of the two is asked first (`patterns` for coarse codes the wording refines).
 * `parcelStatus`: the carrier's status of the whole parcel → status (`extraction.parcelStatus`).
 */
export const STATUS_MAPPING_SCHEMA = z
  .strictObject({
    codes: z.record(z.string().min(1), STATUS_SCHEMA).optional(),
    patterns: z.array(z.strictObject({ pattern: DEFINITION_REGEX_SCHEMA, status: STATUS_SCHEMA })).optional(),
    prefer: z.enum(['codes', 'patterns']).default('codes'),
    parcelStatus: z.record(z.string().min(1), STATUS_SCHEMA).optional(),
  })
  .refine((mapping) => mapping.codes !== undefined || mapping.patterns !== undefined, {
    error: 'needs codes, patterns or both',
  })

export type StatusMappingDefinition = z.output<typeof STATUS_MAPPING_SCHEMA>

/** The status of one event, or undefined when neither its code nor its description is mapped. */
export type StatusMapper = (code: string | undefined, description: string) => EventStatus | undefined

/** The text without combining accents: "Livré" folds to "Livre", which `i` then matches with "LIVRE". */
export function foldAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '')
}

export function createStatusMapper(mapping: z.input<typeof STATUS_MAPPING_SCHEMA>): StatusMapper {
  const codes: Partial<Record<string, EventStatus>> = mapping.codes ?? {}
  // The pattern is folded too, so that "livré" in a definition still matches a folded description.
  const patterns = (mapping.patterns ?? []).map(({ pattern, status }) => ({
    regex: new RegExp(foldAccents(pattern), DEFINITION_REGEX_FLAGS),
    status,
  }))
  const byCode = (code: string | undefined) =>
    code !== undefined && Object.hasOwn(codes, code) ? codes[code] : undefined
  const byPattern = (description: string) => {
    const folded = foldAccents(description)
    return patterns.find(({ regex }) => regex.test(folded))?.status
  }
  if (mapping.prefer === 'patterns') return (code, description) => byPattern(description) ?? byCode(code)
  return (code, description) => byCode(code) ?? byPattern(description)
}

/** The status of the carrier's own status of the whole parcel; undefined when the mapping lacks it. */
export function createParcelStatusMapper(
  mapping: Pick<StatusMappingDefinition, 'parcelStatus'>,
): (parcelStatus: string) => EventStatus | undefined {
  const table: Partial<Record<string, EventStatus>> = mapping.parcelStatus ?? {}
  return (parcelStatus) => (Object.hasOwn(table, parcelStatus) ? table[parcelStatus] : undefined)
}
