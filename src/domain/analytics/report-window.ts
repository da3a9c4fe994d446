import { addCalendarDays, parisDateOf } from '../business-calendar.js'
import { isoWeekMonday, isoWeekOf } from './analytics-cell.js'
import { reportWeekOf } from './carrier-report.js'

/** Weeks a report covers when not told where it starts: the last twelve, up to its last. */
export const DEFAULT_REPORT_WEEKS = 12

/** The first and last ISO weeks of a report, inclusive; the first may lie after the last (an empty report). */
export interface ReportWindow {
  fromWeek: string
  toWeek: string
}

/**
 * The weeks `from` and `to` name (ISO weeks or dates, see `reportWeekOf`): without `to`, the current
 * week in Paris; without `from`, the `weeks` weeks (twelve unless told) that end with `to`. Throws a
 * RangeError for a bound that is neither a week nor a date.
 */
export function reportWindowOf(
  bounds: { from?: string; to?: string },
  nowMs: number,
  weeks = DEFAULT_REPORT_WEEKS,
): ReportWindow {
  const toWeek = bounds.to === undefined ? isoWeekOf(parisDateOf(nowMs)) : reportWeekOf(bounds.to)
  const fromWeek =
    bounds.from === undefined
      ? isoWeekOf(addCalendarDays(isoWeekMonday(toWeek), -7 * (weeks - 1)))
      : reportWeekOf(bounds.from)
  return { fromWeek, toWeek }
}

/** Every ISO week from `fromWeek` to `toWeek` included, in order; none when `fromWeek` is later. */
export function weeksOf({ fromWeek, toWeek }: ReportWindow): string[] {
  const weeks: string[] = []
  for (let week = fromWeek; week <= toWeek; week = isoWeekOf(addCalendarDays(isoWeekMonday(week), 7))) {
    weeks.push(week)
  }
  return weeks
}
