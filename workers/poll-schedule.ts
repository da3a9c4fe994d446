import { CONFIG_SCHEMA, type Config } from '../src/config.js'
import type { PollCalendar } from '../src/domain/poll-schedule.js'

export type { PollCalendar, PollPolicy } from '../src/domain/poll-schedule.js'

/** The calendar part of the policy from the configuration (POLL_SCAN_HOURS, POLL_SCAN_DAYS, POLL_ROUND_*). */
export function pollCalendarFrom(
  config: Pick<Config, 'POLL_SCAN_HOURS' | 'POLL_SCAN_DAYS' | 'POLL_ROUND_HOURS' | 'POLL_IN_TRANSIT_ROUND'>,
): PollCalendar {
  return {
    scanHours: config.POLL_SCAN_HOURS,
    scanDays: config.POLL_SCAN_DAYS,
    roundHours: config.POLL_ROUND_HOURS,
    inTransitRound: config.POLL_IN_TRANSIT_ROUND,
  }
}

/** What a deployment gets without POLL_SCAN_* / POLL_ROUND_* settings: the schema's defaults. */
export const DEFAULT_POLL_CALENDAR: PollCalendar = pollCalendarFrom(
  CONFIG_SCHEMA.pick({
    POLL_SCAN_HOURS: true,
    POLL_SCAN_DAYS: true,
    POLL_ROUND_HOURS: true,
    POLL_IN_TRANSIT_ROUND: true,
  }).parse({}),
)
