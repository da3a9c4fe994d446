/**
 * Time-truthful timestamps: carriers' offsets are kept as they come; a time without an offset is
 * wall-clock in a named zone (Europe/Paris by default), resolved with that zone's DST rules.
 */
export const PARIS = 'Europe/Paris'

const OFFSET_SUFFIX = /(Z|[+-]\d{2}:?[0-5]\d)$/i
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/
/** The forms this module writes; what most carriers send. */
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:([+-])(\d{2}):(\d{2})|Z)$/

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second?: number
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>()

function offsetFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = offsetFormatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    offsetFormatters.set(timeZone, formatter)
  }
  return formatter
}

const QUARTER_HOUR_MS = 15 * 60_000
const offsetCache = new Map<string, number>()
const OFFSET_CACHE_LIMIT = 50_000

/**
 * Offset of `timeZone` at an instant, in minutes east of UTC (Paris: 60 in winter, 120 in summer).
 * Zones change offset on quarter-hour boundaries, so the answer is memoized per quarter hour: Intl
 * formatting is the costliest step of mapping a carrier event.
 */
export function offsetMinutesAt(instantMs: number, timeZone: string = PARIS): number {
  const key = `${timeZone}|${Math.floor(instantMs / QUARTER_HOUR_MS)}`
  const cached = offsetCache.get(key)
  if (cached !== undefined) return cached
  const offset = computeOffsetMinutes(instantMs, timeZone)
  if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear()
  offsetCache.set(key, offset)
  return offset
}

function computeOffsetMinutes(instantMs: number, timeZone: string): number {
  const name = offsetFormatter(timeZone)
    .formatToParts(instantMs)
    .find((part) => part.type === 'timeZoneName')?.value
  const match = name?.match(/GMT([+-])(\d{2}):?(\d{2})?/)
  if (!match) return 0
  const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0)
  return match[1] === '-' ? -minutes : minutes
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    offsetFormatter(timeZone)
    return true
  } catch {
    return false
  }
}

/**
 * Resolves a wall-clock time in `timeZone` to an instant. The hour skipped in spring (02:30 on the last
 * Sunday of March in Paris) is read with the offset in force before the change, so it lands one hour
 * later (03:30+02:00); the hour repeated in autumn resolves to its first occurrence (+02:00). This is
 * the "compatible" disambiguation of Temporal and of most calendar software.
 */
export function resolveWallClock(wall: WallClock, timeZone: string = PARIS): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0)
  const day = 24 * 3600 * 1000
  const before = offsetMinutesAt(asUtc - day, timeZone)
  const after = offsetMinutesAt(asUtc + day, timeZone)
  const candidates = [asUtc - before * 60_000, asUtc - after * 60_000].filter(
    (instant, index) => offsetMinutesAt(instant, timeZone) === (index === 0 ? before : after),
  )
  if (candidates.length === 0) return asUtc - before * 60_000
  return Math.min(...candidates)
}

function pad(value: number, width = 2): string {
  return String(Math.abs(value)).padStart(width, '0')
}

export function formatOffset(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+'
  const abs = Math.abs(offsetMinutes)
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** RFC 3339 with the zone's offset at that instant, to the second: `2023-03-09T09:38:00+01:00`. */
export function formatInZone(instantMs: number, timeZone: string = PARIS): string {
  const offset = offsetMinutesAt(instantMs, timeZone)
  return formatWithOffset(instantMs, offset)
}

/**
 * RFC 3339 to the second with the carrier's own suffix: a time sent in UTC with `Z` keeps `Z` (it is not
 * rewritten to `+00:00`); any other offset is written `±hh:mm`.
 */
export function formatAsSent(instantMs: number, offsetMinutes: number, zulu: boolean): string {
  const written = formatWithOffset(instantMs, zulu ? 0 : offsetMinutes)
  return zulu ? `${written.slice(0, -'+00:00'.length)}Z` : written
}

export function formatWithOffset(instantMs: number, offsetMinutes: number): string {
  const local = new Date(Math.floor(instantMs / 1000) * 1000 + offsetMinutes * 60_000)
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`
  return `${date}T${time}${formatOffset(offsetMinutes)}`
}

function parseOffset(suffix: string): number {
  if (suffix.toUpperCase() === 'Z') return 0
  const sign = suffix.startsWith('-') ? -1 : 1
  const digits = suffix.slice(1).replace(':', '')
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)))
}

/**
 * Turns a carrier timestamp into RFC 3339 keeping the carrier's offset (`Z` stays `Z`); offset-less
 * times are read as wall-clock in `timeZone`. Returns undefined for anything that is not a real date-time.
 */
export function normalizeCarrierTimestamp(raw: string, timeZone: string = PARIS): string | undefined {
  // Every poll maps every scan the carrier sends again: a timestamp already in the written form is
  // checked and kept as it is, without the instant and the formatting the other forms need.
  const canonical = CANONICAL.exec(raw)
  if (canonical && isWrittenForm(canonical)) return raw
  const text = raw.trim()
  const suffix = text.match(OFFSET_SUFFIX)?.[0]
  const local = (suffix ? text.slice(0, -suffix.length) : text).match(LOCAL_DATE_TIME)
  if (!local) return undefined
  const wall: WallClock = {
    year: Number(local[1]),
    month: Number(local[2]),
    day: Number(local[3]),
    hour: Number(local[4]),
    minute: Number(local[5]),
    second: Number(local[6] ?? 0),
  }
  if (!isRealWallClock(wall)) return undefined
  if (suffix) {
    const offset = parseOffset(suffix)
    if (Math.abs(offset) > 18 * 60) return undefined
    const instant =
      Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - offset * 60_000
    return formatAsSent(instant, offset, suffix.toUpperCase() === 'Z')
  }
  return formatInZone(resolveWallClock(wall, timeZone), timeZone)
}

/** A real date-time with an offset this module would write the same way (never `-00:00`). */
function isWrittenForm(match: RegExpExecArray): boolean {
  // Without a sign the suffix is `Z`.
  const offset = match[7] === undefined ? 0 : Number(match[8]) * 60 + Number(match[9])
  if (Number(match[9] ?? 0) > 59 || offset > 18 * 60 || (offset === 0 && match[7] === '-')) return false
  return isRealWallClock({
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6]),
  })
}

export function isRealWallClock(wall: WallClock): boolean {
  const { year, month, day, hour, minute } = wall
  const second = wall.second ?? 0
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
    return false
  return day >= 1 && day <= daysInMonth(year, month)
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** True when the string carries an explicit UTC offset (or Z): what every stored `occurredAt` must have. */
export function hasOffset(timestamp: string): boolean {
  return OFFSET_SUFFIX.test(timestamp) && !Number.isNaN(Date.parse(timestamp))
}

export function instantOf(timestamp: string): number {
  return Date.parse(timestamp)
}
