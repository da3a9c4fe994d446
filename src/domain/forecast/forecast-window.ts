import { type CalendarDate, dateOfDayNumber, dayNumberOf } from '../business-calendar.js'

/** The first and last day of a delivery forecast's window (Paris dates). */
export interface ForecastWindow {
  from: CalendarDate
  to: CalendarDate
}

const COMPACT = /^(\d{1,6})([+-]\d{1,5})$/
const ISO_INTERVAL = /^(\d{4}-\d{2}-\d{2})\/(\d{4}-\d{2}-\d{2})$/

/**
 * A window as a record keeps it: its first day as a day number (days since 1970-01-01), then how many
 * days later its last day falls (`20516+2`). Each record carries it, so it is kept shorter than the
 * dates it stands for: a record a few bytes longer can take a whole allocator size step in Redis.
 */
export function encodeForecastWindow(window: ForecastWindow): string {
  const first = dayNumberOf(window.from)
  const span = dayNumberOf(window.to) - first
  return `${first}${span < 0 ? '' : '+'}${span}`
}

/**
 * The window `encodeForecastWindow` wrote, or one written as an ISO 8601 interval of two dates
 * (`2026-03-04/2026-03-06`) by colis before it; undefined for anything else, which then counts as no
 * window kept (a first window is no revision).
 */
export function decodeForecastWindow(text: string | undefined): ForecastWindow | undefined {
  if (text === undefined) return undefined
  const compact = COMPACT.exec(text)
  if (compact) {
    const first = Number(compact[1])
    return { from: dateOfDayNumber(first), to: dateOfDayNumber(first + Number(compact[2])) }
  }
  const interval = ISO_INTERVAL.exec(text)
  if (!interval) return undefined
  const [, from = '', to = ''] = interval
  try {
    dayNumberOf(from)
    dayNumberOf(to)
  } catch {
    return undefined
  }
  return { from, to }
}

/** The same first and last day (dates: a move is a day or more). */
export function sameForecastWindow(a: ForecastWindow, b: ForecastWindow): boolean {
  return a.from === b.from && a.to === b.to
}
