import { addCalendarDays, type CalendarDate } from '../business-calendar.js'
import { readFrenchPostalCode, takesFrenchPostalCodes } from '../destination.js'

/** The parcels colis counts together: one merchant, carrier, service, destination and handover week. */
export interface AnalyticsCell {
  merchantId: string
  carrier: string
  /** The carrier's service, else its product, else `-`. */
  service: string
  /** `FR-75`, `FR-2A`, `FR-971` for a French département; the ISO country code otherwise; `FR` when unknown. */
  destination: string
  /** ISO 8601 week of the handover (of the registration when the carrier never scanned): `2026-W09`. */
  week: string
}

/**
 * Overseas departments and collectivities that have an ISO code of their own but French postal codes:
 * a parcel to Guadeloupe lands in `FR-971` whether its address says `GP` or `FR`.
 */
const DEPARTMENT_BY_COUNTRY: Readonly<Record<string, string>> = {
  GP: '971',
  MQ: '972',
  GF: '973',
  RE: '974',
  PM: '975',
  YT: '976',
  BL: '977',
  MF: '978',
}

/** Postal prefixes of places outside France's départements, which are counted under their own country. */
const COUNTRY_BY_PREFIX: Readonly<Record<string, string>> = {
  '980': 'MC',
  '984': 'TF',
  '986': 'WF',
  '987': 'PF',
  '988': 'NC',
}

/** Département of a French postal code: Corsica's 200xx–201xx are Corse-du-Sud, the rest of 20 Haute-Corse. */
function departmentOf(postalCode: string): string {
  const prefix = postalCode.slice(0, 2)
  if (prefix === '20') return Number(postalCode.slice(2, 3)) <= 1 ? '2A' : '2B'
  return prefix === '97' || prefix === '98' ? postalCode.slice(0, 3) : prefix
}

export function destinationCellOf(destination: {
  destinationCountry?: string
  destinationPostalCode?: string
}): string {
  const country = (destination.destinationCountry ?? 'FR').trim().toUpperCase()
  if (!takesFrenchPostalCodes(country)) return country
  const postalCode = readFrenchPostalCode(destination.destinationPostalCode?.trim() ?? '')
  const department = postalCode === undefined ? DEPARTMENT_BY_COUNTRY[country] : departmentOf(postalCode)
  if (department === undefined) return country
  return COUNTRY_BY_PREFIX[department] ?? `FR-${department}`
}

/** ISO 8601 week of a date: weeks start on Monday, and week 1 holds the year's first Thursday. */
export function isoWeekOf(date: CalendarDate): string {
  const dayNumber = Date.parse(`${date}T00:00:00Z`) / 86_400_000
  // 1970-01-01 was a Thursday: weekday 1 (Monday) to 7 (Sunday).
  const weekday = ((((dayNumber + 3) % 7) + 7) % 7) + 1
  const thursday = addCalendarDays(date, 4 - weekday)
  const year = Number(thursday.slice(0, 4))
  const thursdayNumber = Date.parse(`${thursday}T00:00:00Z`) / 86_400_000
  const firstOfYear = Date.parse(`${year}-01-01T00:00:00Z`) / 86_400_000
  const week = Math.floor((thursdayNumber - firstOfYear) / 7) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

const ISO_WEEK = /^(\d{4})-W(\d{2})$/

/** Whether `week` is an ISO 8601 week as `isoWeekOf` writes it (`2026-W09`), one that exists. */
export function isIsoWeek(week: string): boolean {
  const match = ISO_WEEK.exec(week)
  if (!match) return false
  const number = Number(match[2])
  return number >= 1 && isoWeekOf(isoWeekMonday(week)) === week
}

/** The Monday an ISO week starts on: 4 January is always in week 1. */
export function isoWeekMonday(week: string): CalendarDate {
  const match = ISO_WEEK.exec(week)
  if (!match) throw new RangeError(`not an ISO week: ${week}`)
  const january4 = `${match[1]}-01-04`
  const dayNumber = Date.parse(`${january4}T00:00:00Z`) / 86_400_000
  const weekday = ((((dayNumber + 3) % 7) + 7) % 7) + 1
  return addCalendarDays(january4, 1 - weekday + 7 * (Number(match[2]) - 1))
}

/** The ISO weeks from `fromWeek` to `toWeek`, both included, in order; none when `fromWeek` is later. */
export function isoWeeksFromTo(fromWeek: string, toWeek: string): string[] {
  const weeks: string[] = []
  for (let monday = isoWeekMonday(fromWeek); isoWeekOf(monday) <= toWeek; monday = addCalendarDays(monday, 7))
    weeks.push(isoWeekOf(monday))
  return weeks
}
