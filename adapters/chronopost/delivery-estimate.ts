import type { DeliveryWindow } from '../../src/domain/carrier-snapshot.js'
import {
  formatInZone,
  instantOf,
  isRealWallClock,
  PARIS,
  resolveWallClock,
  type WallClock,
} from '../../src/domain/paris-time.js'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import { type DeliveryEstimateRule, findDeliveryEstimateRule } from './event-codes.js'

/** What a snapshot says about the delivery to come. */
export interface DeliveryEstimate {
  /** `YYYY-MM-DD`, Europe/Paris. */
  estimatedDelivery: string
  estimatedDeliveryWindow?: DeliveryWindow
}

/** The `infoCompList` names (French answers) that date a delivery. */
export const REDELIVERY_DAY = 'Date de relivraison'
export const WINDOW_START = 'Début créneau RDV'
export const WINDOW_END = 'Fin créneau RDV'

const DAY_MS = 24 * 3600 * 1000
const MONDAY = 1
const FRENCH_DAY = /^(\d{2})\/(\d{2})\/(\d{4})$/
const FRENCH_DAY_TIME = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/

/**
 * The delivery the latest event that dates one announces, oldest first in `events`. An event dates it
 * with, first to last: the day the recipient chose (`Date de relivraison`, on a delivery instruction),
 * the booked appointment (`Début créneau RDV` / `Fin créneau RDV`, `dd/MM/yyyy HH:mm[:ss]` Paris time),
 * or its code (IS/ZS "livraison prévue lundi prochain": the first Monday strictly after the event's Paris
 * day; "livraison reportée de 24h": the day after). Unreadable values date nothing; later events that
 * date nothing leave the estimate as it is.
 */
export function estimateDelivery(events: readonly TrackingEvent[]): DeliveryEstimate | undefined {
  for (const event of [...events].reverse()) {
    const estimate = estimateFromEvent(event)
    if (estimate) return estimate
  }
  return undefined
}

function estimateFromEvent(event: TrackingEvent): DeliveryEstimate | undefined {
  const details = event.details ?? {}
  const chosenDay = readFrenchDay(details[REDELIVERY_DAY])
  if (chosenDay) return { estimatedDelivery: chosenDay }
  const window = readWindow(details[WINDOW_START], details[WINDOW_END])
  if (window) return { estimatedDelivery: parisDay(window.from), estimatedDeliveryWindow: window }
  const rule = findDeliveryEstimateRule(event.code)
  return rule ? { estimatedDelivery: addDaysToParisDate(event.occurredAt, rule) } : undefined
}

function readFrenchDay(text: string | undefined): string | undefined {
  const match = text?.trim().match(FRENCH_DAY)
  if (!match) return undefined
  const [, day, month, year] = match.map(Number)
  const wall = { year: year ?? 0, month: month ?? 0, day: day ?? 0, hour: 0, minute: 0 }
  return isRealWallClock(wall) ? `${match[3]}-${match[2]}-${match[1]}` : undefined
}

/** Both ends readable and the start before the end, or no window. */
function readWindow(start: string | undefined, end: string | undefined): DeliveryWindow | undefined {
  const from = readFrenchDayTime(start)
  const to = readFrenchDayTime(end)
  if (from === undefined || to === undefined || !(instantOf(from) < instantOf(to))) return undefined
  return { from, to }
}

function readFrenchDayTime(text: string | undefined): string | undefined {
  const match = text?.trim().match(FRENCH_DAY_TIME)
  if (!match) return undefined
  const [, day, month, year, hour, minute, second] = match.map(Number)
  const wall: WallClock = {
    year: year ?? 0,
    month: month ?? 0,
    day: day ?? 0,
    hour: hour ?? 0,
    minute: minute ?? 0,
    second: Number.isNaN(second) ? 0 : (second ?? 0),
  }
  return isRealWallClock(wall) ? formatInZone(resolveWallClock(wall, PARIS), PARIS) : undefined
}

function parisDay(timestamp: string): string {
  return formatInZone(instantOf(timestamp), PARIS).slice(0, 10)
}

function addDaysToParisDate(occurredAt: string, rule: DeliveryEstimateRule): string {
  const [year, month, day] = parisDay(occurredAt).split('-').map(Number)
  const date = Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1)
  const weekday = new Date(date).getUTCDay()
  const days = rule === 'next_day' ? 1 : (MONDAY - weekday + 7) % 7 || 7
  return new Date(date + days * DAY_MS).toISOString().slice(0, 10)
}
