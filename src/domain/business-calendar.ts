import { formatInZone, instantOf, normalizeCarrierTimestamp, PARIS, resolveWallClock } from './paris-time.js'

/** A day in the French calendar, `YYYY-MM-DD`. */
export type CalendarDate = string

/** `ouvrables`: Monday to Saturday; `ouvres`: Monday to Friday; public holidays excluded from both. */
export type DayKind = 'ouvrables' | 'ouvres'

export interface PublicHoliday {
  date: CalendarDate
  name: string
}

const DAY_MS = 86_400_000
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Days since 1970-01-01 of a calendar date; a RangeError for anything but a real `YYYY-MM-DD`. */
export function dayNumberOf(date: CalendarDate): number {
  const match = date.match(CALENDAR_DATE)
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
    const utc = new Date(Date.UTC(year, month - 1, day))
    if (utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day) {
      return utc.getTime() / DAY_MS
    }
  }
  throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`)
}

/** The calendar date `dayNumber` days after 1970-01-01. */
export function dateOfDayNumber(dayNumber: number): CalendarDate {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10)
}

function ymd(year: number, month: number, day: number): CalendarDate {
  return dateOfDayNumber(Date.UTC(year, month - 1, day) / DAY_MS)
}

export function addCalendarDays(date: CalendarDate, days: number): CalendarDate {
  if (!Number.isInteger(days)) throw new RangeError(`days must be an integer: ${days}`)
  return dateOfDayNumber(dayNumberOf(date) + days)
}

/** Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const n = h + l - 7 * m + 114
  return ymd(year, Math.floor(n / 31), (n % 31) + 1)
}

type Region = 'metropole' | 'alsace-moselle' | '971' | '972' | '973' | '974' | '976'

/** Abolition-of-slavery day of each overseas department (loi 83-550, décret 83-1003). */
const ABOLITION_DAY = {
  '971': [5, 27],
  '972': [5, 22],
  '973': [6, 10],
  '974': [12, 20],
  '976': [4, 27],
} as const satisfies Record<string, readonly [number, number]>

function regionOf(postalCode: string | undefined): Region {
  const code = postalCode?.replace(/\s/g, '') ?? ''
  const department = code.slice(0, 3)
  if (department in ABOLITION_DAY) return department as keyof typeof ABOLITION_DAY
  if (['57', '67', '68'].includes(code.slice(0, 2))) return 'alsace-moselle'
  return 'metropole'
}

function computeHolidays(year: number, region: Region): PublicHoliday[] {
  const easter = easterSunday(year)
  const holidays: PublicHoliday[] = [
    { date: ymd(year, 1, 1), name: "Jour de l'an" },
    { date: addCalendarDays(easter, 1), name: 'Lundi de Pâques' },
    { date: ymd(year, 5, 1), name: 'Fête du Travail' },
    { date: ymd(year, 5, 8), name: 'Victoire 1945' },
    { date: addCalendarDays(easter, 39), name: 'Ascension' },
    { date: addCalendarDays(easter, 50), name: 'Lundi de Pentecôte' },
    { date: ymd(year, 7, 14), name: 'Fête nationale' },
    { date: ymd(year, 8, 15), name: 'Assomption' },
    { date: ymd(year, 11, 1), name: 'Toussaint' },
    { date: ymd(year, 11, 11), name: 'Armistice 1918' },
    { date: ymd(year, 12, 25), name: 'Noël' },
  ]
  if (region === 'alsace-moselle') {
    holidays.push({ date: addCalendarDays(easter, -2), name: 'Vendredi saint' })
    holidays.push({ date: ymd(year, 12, 26), name: 'Saint-Étienne' })
  } else if (region !== 'metropole') {
    const [month, day] = ABOLITION_DAY[region]
    holidays.push({ date: ymd(year, month, day), name: "Abolition de l'esclavage" })
  }
  // Stable sort: two holidays on one day (Ascension on 1 May, as in 2008) are both listed.
  return holidays.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

const holidayCache = new Map<string, { list: PublicHoliday[]; dates: Set<CalendarDate> }>()

function holidaysOf(year: number, region: Region) {
  const key = `${year}|${region}`
  let entry = holidayCache.get(key)
  if (!entry) {
    const list = computeHolidays(year, region)
    entry = { list, dates: new Set(list.map((holiday) => holiday.date)) }
    holidayCache.set(key, entry)
  }
  return entry
}

/**
 * French public holidays of `year` for the department of `postalCode` (Alsace-Moselle and overseas
 * departments add their own), sorted by date. Today's list is applied to every year (meant for 1900–2200).
 */
export function frenchPublicHolidays(year: number, postalCode?: string): PublicHoliday[] {
  if (!Number.isInteger(year)) throw new RangeError(`year must be an integer: ${year}`)
  return holidaysOf(year, regionOf(postalCode)).list.map((holiday) => ({ ...holiday }))
}

export function isPublicHoliday(date: CalendarDate, postalCode?: string): boolean {
  dayNumberOf(date)
  return holidaysOf(Number(date.slice(0, 4)), regionOf(postalCode)).dates.has(date)
}

export function isBusinessDay(date: CalendarDate, kind: DayKind, postalCode?: string): boolean {
  // 1970-01-01 was a Thursday: (dayNumber + 4) % 7 is 0 on Sundays.
  const weekday = (((dayNumberOf(date) + 4) % 7) + 7) % 7
  if (weekday === 0 || (weekday === 6 && kind === 'ouvres')) return false
  return !isPublicHoliday(date, postalCode)
}

/**
 * The `days`-th business day strictly after `date`; with `days` = 0, `date` itself when it is a
 * business day, else the next one.
 */
export function addBusinessDays(
  date: CalendarDate,
  days: number,
  kind: DayKind,
  postalCode?: string,
): CalendarDate {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`days must be an integer ≥ 0: ${days}`)
  let current = date
  let remaining = days
  if (remaining === 0 && isBusinessDay(current, kind, postalCode)) return current
  if (remaining === 0) remaining = 1
  while (remaining > 0) {
    current = addCalendarDays(current, 1)
    if (isBusinessDay(current, kind, postalCode)) remaining--
  }
  return current
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: CalendarDate, kind: DayKind, postalCode?: string): CalendarDate {
  return addBusinessDays(date, 1, kind, postalCode)
}

export function parisDateOf(instantMs: number): CalendarDate {
  return formatInZone(instantMs, PARIS).slice(0, 10)
}

/** Instant of 00:00 in Paris on `date` (never in a DST gap: France changes at 02:00 and 03:00). */
export function startOfParisDay(date: CalendarDate): number {
  return atParisHour(date, 0)
}

/** Instant of `hour`:00 Paris wall-clock on `date`; an hour a DST change skips resolves one hour later. */
export function atParisHour(date: CalendarDate, hour: number): number {
  const utc = new Date(dayNumberOf(date) * DAY_MS)
  return resolveWallClock(
    { year: utc.getUTCFullYear(), month: utc.getUTCMonth() + 1, day: utc.getUTCDate(), hour, minute: 0 },
    PARIS,
  )
}

/** Instant of the next day's 00:00 in Paris: 23 or 25 hours after the start on DST days. */
export function endOfParisDay(date: CalendarDate): number {
  return startOfParisDay(addCalendarDays(date, 1))
}

/**
 * Paris date of a `YYYY-MM-DD` date (itself) or of a date-time (with an offset, or Paris wall-clock
 * without one); undefined when it is neither.
 */
export function parisDateOfTimestamp(value: string): CalendarDate | undefined {
  const text = value.trim()
  if (CALENDAR_DATE.test(text)) {
    try {
      dayNumberOf(text)
      return text
    } catch {
      return undefined
    }
  }
  const normalized = normalizeCarrierTimestamp(text, PARIS)
  return normalized === undefined ? undefined : parisDateOf(instantOf(normalized))
}

/** The days a carrier delivers on: per service it reports (lower-case names), else `default`. */
export interface DeliveryDays {
  default: DayKind
  byService?: Readonly<Record<string, DayKind>>
}

/**
 * Which days a parcel of `service` is delivered on, by the carrier's `days`; `overrides` (keyed by
 * service, case-insensitive) win.
 */
export function deliveryDayKindFor(
  service: string | undefined,
  days: DeliveryDays,
  overrides?: Record<string, DayKind>,
): DayKind {
  const key = service?.trim().toLowerCase() ?? ''
  const override = Object.entries(overrides ?? {}).find(([name]) => name.trim().toLowerCase() === key)
  const byService = days.byService ?? {}
  return override?.[1] ?? (Object.hasOwn(byService, key) ? byService[key] : undefined) ?? days.default
}

/** Promised delivery date: the Paris date of `shippedAt` plus `businessDays` business days of `dayKind`. */
export function promisedDate(
  promise: { shippedAt: string; businessDays: number; dayKind: DayKind },
  postalCode?: string,
): CalendarDate {
  const shippedOn = parisDateOfTimestamp(promise.shippedAt)
  if (shippedOn === undefined) throw new RangeError(`not a date or date-time: ${promise.shippedAt}`)
  return addBusinessDays(shippedOn, promise.businessDays, promise.dayKind, postalCode)
}
