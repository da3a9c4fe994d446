import {
  formatAsSent,
  formatInZone,
  isRealWallClock,
  normalizeCarrierTimestamp,
  resolveWallClock,
  type WallClock,
} from '../../src/domain/paris-time.js'

const TOKENS = ['yyyy', 'MM', 'dd', 'HH', 'hh', 'mm', 'ss', 'XXX', 'a'] as const
type Token = (typeof TOKENS)[number]

const TOKEN_PATTERN: Record<Token, string> = {
  yyyy: '(\\d{4})',
  MM: '(\\d{1,2})',
  dd: '(\\d{1,2})',
  HH: '(\\d{1,2})',
  hh: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  XXX: '(Z|[+-]\\d{2}(?::?\\d{2})?)',
  a: '([AP])\\.?M\\.?',
}

/** A date format ready to read text: `iso` (RFC 3339, offset optional) or a compiled pattern. */
export type CompiledDateFormat = { iso: true } | { iso: false; regex: RegExp; tokens: Token[] }

const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/

/**
 * Compiles `iso` or a pattern of yyyy MM dd HH hh mm ss a XXX, other letters quoted ('T'); any run of
 * spaces matches any run of whitespace. Returns why the format is refused as a string.
 */
export function compileDateFormat(format: string): CompiledDateFormat | string {
  if (format === 'iso') return { iso: true }
  const tokens: Token[] = []
  let source = ''
  for (let index = 0; index < format.length; ) {
    const rest = format.slice(index)
    const token = TOKENS.find((candidate) => rest.startsWith(candidate))
    const char = rest[0] ?? ''
    if (token) {
      if (tokens.includes(token)) return `"${token}" appears twice`
      tokens.push(token)
      source += TOKEN_PATTERN[token]
      index += token.length
    } else if (char === "'") {
      const end = format.indexOf("'", index + 1)
      if (end < 0) return 'unclosed quote'
      source += escapeRegex(format.slice(index + 1, end))
      index = end + 1
    } else if (/\s/.test(char)) {
      source += '\\s+'
      index += rest.match(/^\s+/)?.[0].length ?? 1
    } else if (/[A-Za-z]/.test(char)) {
      return `unknown pattern letter "${char}" (use yyyy, MM, dd, HH, hh, mm, ss, a, XXX, or quote it)`
    } else {
      source += escapeRegex(char)
      index += 1
    }
  }
  const problem = checkTokens(tokens)
  return problem ?? { iso: false, regex: new RegExp(`^${source}$`, 'i'), tokens }
}

function checkTokens(tokens: readonly Token[]): string | undefined {
  const has = (token: Token) => tokens.includes(token)
  if (!has('yyyy') || !has('MM') || !has('dd')) return 'needs yyyy, MM and dd'
  if (has('HH') && has('hh')) return 'use HH or hh, not both'
  if (has('hh') !== has('a')) return 'hh (12-hour clock) goes with a (AM/PM)'
  if (has('mm') !== (has('HH') || has('hh'))) return 'an hour needs minutes (mm) and minutes an hour'
  if (has('ss') && !has('mm')) return 'seconds (ss) need minutes (mm)'
  return undefined
}

/**
 * Reads a carrier date with the first format that fits. An offset in the text is kept (`Z` as `Z`);
 * without one the text is wall-clock in `timeZone`, resolved with its DST rules. Undefined when no
 * format reads it.
 */
export function parseCarrierDate(
  text: string,
  formats: readonly CompiledDateFormat[],
  timeZone: string,
): string | undefined {
  const value = text.trim()
  for (const format of formats) {
    const parsed = format.iso ? readIso(value, timeZone) : readPattern(value, format, timeZone)
    if (parsed) return parsed
  }
  return undefined
}

function readIso(value: string, timeZone: string): string | undefined {
  return normalizeCarrierTimestamp(ISO_DATE_ONLY.test(value) ? `${value}T00:00` : value, timeZone)
}

function readPattern(
  value: string,
  format: Extract<CompiledDateFormat, { iso: false }>,
  timeZone: string,
): string | undefined {
  const match = value.match(format.regex)
  if (!match) return undefined
  const part = (token: Token) => {
    const at = format.tokens.indexOf(token)
    return at < 0 ? undefined : match[at + 1]
  }
  const number = (token: Token) => Number(part(token) ?? 0)
  let hour = number('HH')
  if (format.tokens.includes('hh')) {
    const twelve = number('hh')
    if (twelve < 1 || twelve > 12) return undefined
    hour = (twelve % 12) + (part('a')?.toUpperCase() === 'P' ? 12 : 0)
  }
  const wall: WallClock = {
    year: number('yyyy'),
    month: number('MM'),
    day: number('dd'),
    hour,
    minute: number('mm'),
    second: number('ss'),
  }
  if (!isRealWallClock(wall)) return undefined
  const offsetText = part('XXX')
  if (offsetText === undefined) return formatInZone(resolveWallClock(wall, timeZone), timeZone)
  const offset = readOffsetMinutes(offsetText)
  if (Math.abs(offset) > 18 * 60) return undefined
  const local = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second)
  return formatAsSent(local - offset * 60_000, offset, offsetText.toUpperCase() === 'Z')
}

function readOffsetMinutes(text: string): number {
  if (text.toUpperCase() === 'Z') return 0
  const digits = text.slice(1).replace(':', '')
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0)
  return text.startsWith('-') ? -minutes : minutes
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
}
