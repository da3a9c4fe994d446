import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { EVENT_STATUSES, type EventStatus } from '../src/domain/tracking-status.js'
import { DEFINITION_REGEX_FLAGS, foldAccents } from './generic/map-status.js'

/** A COLIS_CODE_OVERRIDES file that cannot be used: one line naming the file and every issue. */
export class CodeOverridesError extends Error {
  override readonly name = 'CodeOverridesError'
  readonly issues: string[]

  constructor(issues: string[], source: string) {
    super(`invalid code overrides in ${source}: ${issues.join('; ')}`)
    this.issues = issues
  }
}

/**
 * The operator's mapping of carrier codes, applied before the built-in code tables: for an event of a
 * carrier, its code's rule, else the first `/pattern/` (in file order) its wording matches.
 */
export interface CodeOverrides {
  /** The status the rules give an event, or undefined when no rule applies. */
  statusOf(carrier: string, code: string, description: string): EventStatus | undefined
  /** Whether `carrier` has any rule (the poll path skips the others at no cost). */
  covers(carrier: string): boolean
  /** Each carrier's rules as written, to tell which carriers a reload changed. */
  readonly written: ReadonlyMap<string, string>
}

export const NO_CODE_OVERRIDES: CodeOverrides = {
  statusOf: () => undefined,
  covers: () => false,
  written: new Map(),
}

/** `/…/`: a pattern on the wording rather than a code. */
const PATTERN_KEY = /^\/(.+)\/$/s

/** Case- and accent-insensitive, as the patterns of carrier definition files. */
function compilePattern(source: string): RegExp {
  return new RegExp(foldAccents(source), DEFINITION_REGEX_FLAGS)
}

function isEventStatus(value: string): value is EventStatus {
  return (EVENT_STATUSES as readonly string[]).includes(value)
}

// Statuses are checked here rather than by a zod enum, so that one bad rule does not hide the others.
const RULES_SCHEMA = z.record(z.string(), z.string()).superRefine((rules, ctx) => {
  for (const [key, status] of Object.entries(rules)) {
    if (!isEventStatus(status)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `${JSON.stringify(status)} is not an event status (${EVENT_STATUSES.join(', ')})`,
      })
    }
    const pattern = key.match(PATTERN_KEY)?.[1]
    if (pattern === undefined) {
      if (key.trim() === '' || key !== key.trim())
        ctx.addIssue({ code: 'custom', path: [key], message: 'a code has no surrounding spaces' })
      continue
    }
    try {
      compilePattern(pattern)
    } catch (error) {
      const why = error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : ''
      ctx.addIssue({ code: 'custom', path: [key], message: `invalid regular expression: ${why}` })
    }
  }
})

function fileSchema(carriers: readonly string[]) {
  return z.record(z.string(), RULES_SCHEMA).superRefine((file, ctx) => {
    for (const carrier of Object.keys(file)) {
      if (!carriers.includes(carrier))
        ctx.addIssue({ code: 'custom', path: [carrier], message: 'no such carrier on this deployment' })
    }
  })
}

interface CarrierRules {
  codes: Map<string, EventStatus>
  patterns: Array<{ regex: RegExp; status: EventStatus }>
}

function compileRules(rules: Record<string, string>): CarrierRules {
  const compiled: CarrierRules = { codes: new Map(), patterns: [] }
  for (const [key, status] of Object.entries(rules)) {
    if (!isEventStatus(status)) continue
    const pattern = key.match(PATTERN_KEY)?.[1]
    if (pattern === undefined) compiled.codes.set(key, status)
    else compiled.patterns.push({ regex: compilePattern(pattern), status })
  }
  return compiled
}

/**
 * Validates a parsed `{carrier: {code or "/pattern/": status}}` whose carriers must be among `carriers`;
 * throws `CodeOverridesError` listing every issue.
 */
export function parseCodeOverrides(
  json: unknown,
  carriers: readonly string[],
  source: string,
): CodeOverrides {
  const result = fileSchema(carriers).safeParse(json, {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `expected ${issue.expected}, got ${Array.isArray(issue.input) ? 'an array' : typeof issue.input}`
        : undefined,
  })
  if (!result.success) {
    throw new CodeOverridesError(
      result.error.issues.map((issue) => {
        const path = issue.path.map((key) => JSON.stringify(String(key))).join(' → ')
        return path ? `${path}: ${issue.message}` : issue.message
      }),
      source,
    )
  }
  const byCarrier = new Map(
    Object.entries(result.data)
      .filter(([, rules]) => Object.keys(rules).length > 0)
      .map(([carrier, rules]) => [carrier, compileRules(rules)]),
  )
  return {
    statusOf(carrier, code, description) {
      const rules = byCarrier.get(carrier)
      if (!rules) return undefined
      const byCode = rules.codes.get(code)
      if (byCode) return byCode
      if (rules.patterns.length === 0) return undefined
      const folded = foldAccents(description)
      return rules.patterns.find(({ regex }) => regex.test(folded))?.status
    },
    covers: (carrier) => byCarrier.has(carrier),
    written: new Map(
      Object.entries(result.data)
        .filter(([carrier]) => byCarrier.has(carrier))
        .map(([carrier, rules]) => [carrier, JSON.stringify(Object.entries(rules))]),
    ),
  }
}

/** Reads and validates COLIS_CODE_OVERRIDES; a missing file, bad JSON or a bad rule throws `CodeOverridesError`. */
export function loadCodeOverrides(path: string, carriers: readonly string[]): CodeOverrides {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new CodeOverridesError([code === 'ENOENT' ? 'no such file' : `cannot read it (${code})`], path)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CodeOverridesError([`not JSON: ${error instanceof Error ? error.message : error}`], path)
  }
  return parseCodeOverrides(json, carriers, path)
}

/** The carriers whose rules differ between two sets of overrides (added, changed or removed). */
export function changedCarriers(before: CodeOverrides, after: CodeOverrides): string[] {
  const carriers = new Set([...before.written.keys(), ...after.written.keys()])
  return [...carriers].filter((carrier) => before.written.get(carrier) !== after.written.get(carrier))
}
