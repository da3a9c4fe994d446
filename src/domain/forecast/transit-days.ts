import {
  addBusinessDays,
  addCalendarDays,
  type CalendarDate,
  type DayKind,
  isBusinessDay,
} from '../business-calendar.js'
import { calendarPostalCode, type Destination, isCountryCode, readFrenchPostalCode } from '../destination.js'

/** Business days of `kind` in (`from`, `to`]: 0 when `to` is not after `from`. */
export function businessDaysBetween(
  from: CalendarDate,
  to: CalendarDate,
  kind: DayKind,
  postalCode?: string,
): number {
  let count = 0
  for (let day = addCalendarDays(from, 1); day <= to; day = addCalendarDays(day, 1)) {
    if (isBusinessDay(day, kind, postalCode)) count++
  }
  return count
}

/** The day a parcel handed over on `handedOverOn` arrives after `transitDays` business days (0: that day). */
export function arrivalDate(
  handedOverOn: CalendarDate,
  transitDays: number,
  kind: DayKind,
  postalCode?: string,
): CalendarDate {
  return transitDays === 0 ? handedOverOn : addBusinessDays(handedOverOn, transitDays, kind, postalCode)
}

/** Where a parcel goes, as the forecast groups it, and the postal code whose holidays count. */
export interface ForecastRegion {
  /** The département (`75`, Corsica `20`, `974`) of a French postal code, else the country. */
  region: string
  postalCode?: string
}

/** A foreign destination counts the metropolitan calendar: the business days are the carrier's. */
export function forecastRegionOf(destination: Destination): ForecastRegion {
  const postalCode = calendarPostalCode(destination)
  const french = postalCode === undefined ? undefined : readFrenchPostalCode(postalCode)
  if (french) return { region: french.slice(0, french >= '97' ? 3 : 2), postalCode: french }
  return { region: (destination.destinationCountry ?? 'FR').toUpperCase() }
}

/** A French postal code (`75011`) or an ISO country code (`BE`), as a history file writes a destination. */
export function readDestination(text: string): Destination | undefined {
  const value = text.trim()
  const postalCode = readFrenchPostalCode(value)
  if (postalCode) return { destinationCountry: 'FR', destinationPostalCode: postalCode }
  const country = value.toUpperCase()
  return isCountryCode(country) ? { destinationCountry: country } : undefined
}

/** ISO 8601 week of a date, `2025-W02`: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeekOf(date: CalendarDate): string {
  const day = new Date(`${date}T00:00:00Z`)
  const weekday = (day.getUTCDay() + 6) % 7
  const thursday = new Date(day.getTime() + (3 - weekday) * 86_400_000)
  const year = thursday.getUTCFullYear()
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000)) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}
