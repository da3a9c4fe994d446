import { isBusinessDay } from '../../src/domain/business-calendar.js'
import { offsetMinutesAt } from '../../src/domain/paris-time.js'
import { seededRandom } from '../../src/domain/seeded-random.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'

/**
 * Deterministic parcel journeys for the freshness figure: realistic Colissimo-like timelines at
 * Europe/Paris local times. Scans happen 06:00–21:00 on Monday–Saturday (public holidays excluded);
 * label data (info_received) arrives whenever the sender prints the label.
 *
 * - registration in colis 07:00–22:00 (Sundays a third as often), label data 0–90 min later;
 * - pre-transit 0–2 days: pickup scan 12:00–19:00 on a scan day, sorting-centre scan 18:00–21:00;
 * - transit 1–4 business days (45/35/13/7 %), one hub scan on most intermediate days (06:00–21:00),
 *   arrival at the delivery site on the morning of the round (06:00–07:30, 75 %) or the day before;
 * - out for delivery 07:00–10:00 (peaking around 08:30), delivered 09:00–19:00 after it;
 * - 10 % failed attempt (09:00–19:00), parcel available at a pickup point the next scan day
 *   (08:00–12:00), picked up 0–4 scan days later (09:00–19:00).
 *
 * Carrier delivery estimates (La Poste `estimDate`), with errors: 15 % of parcels never get one; the
 * others get one from the pickup scan on, naming the real round day for 70 % of pickup scans and 85 % of
 * later hub scans, else one scan day early (2/3 of misses: the parcel runs late) or one day late; the
 * arrival at the delivery site names the real day. A wrong "later" estimate costs the adaptive policy.
 */

export const STATUS_CODES = [
  'pending',
  'info_received',
  'in_transit',
  'out_for_delivery',
  'failed_attempt',
  'available_for_pickup',
  'delivered',
] as const satisfies readonly TrackingStatus[]
export type JourneyStatus = (typeof STATUS_CODES)[number]
export const CODE: Record<JourneyStatus, number> = Object.fromEntries(
  STATUS_CODES.map((status, index) => [status, index]),
) as Record<JourneyStatus, number>

export interface Journeys {
  count: number
  /** When colis is told about each parcel, sorted ascending. */
  registeredAt: Float64Array
  /** Events of parcel i are eventAt/eventStatus[eventStart[i] .. eventStart[i + 1]), in time order. */
  eventStart: Int32Array
  eventAt: Float64Array
  eventStatus: Uint8Array
  /** The carrier's estimated delivery day (Paris day number) as of each event; -1 = none. */
  eventEstimateDay: Int32Array
}

const DAY_MS = 86_400_000
const MINUTE_MS = 60_000

/** Day number (days since 1970-01-01) of a Paris calendar date. */
export function dayNumberOfDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS
}

const offsetCache = new Map<number, number>()
const scanDayCache = new Map<number, boolean>()

/** The instant of `minute` (06:00 or later) of a Paris day: the day's offset at noon applies. */
export function parisInstant(dayNumber: number, minute: number): number {
  let offset = offsetCache.get(dayNumber)
  if (offset === undefined) {
    offset = offsetMinutesAt(dayNumber * DAY_MS + 12 * 3_600_000)
    offsetCache.set(dayNumber, offset)
  }
  return dayNumber * DAY_MS + (minute - offset) * MINUTE_MS
}

export function isScanDay(dayNumber: number): boolean {
  let open = scanDayCache.get(dayNumber)
  if (open === undefined) {
    open = isBusinessDay(new Date(dayNumber * DAY_MS).toISOString().slice(0, 10), 'ouvrables')
    scanDayCache.set(dayNumber, open)
  }
  return open
}

function nextScanDay(dayNumber: number, after: boolean): number {
  let day = after ? dayNumber + 1 : dayNumber
  while (!isScanDay(day)) day++
  return day
}

function previousScanDay(dayNumber: number): number {
  let day = dayNumber - 1
  while (!isScanDay(day)) day--
  return day
}

function weighted(random: () => number, weights: readonly number[]): number {
  let draw = random() * weights.reduce((sum, weight) => sum + weight, 0)
  for (let index = 0; index < weights.length; index++) {
    draw -= weights[index] ?? 0
    if (draw < 0) return index
  }
  return weights.length - 1
}

export interface JourneyOptions {
  seed: number
  /** Registrations happen on Paris days [firstDay, lastDay), day numbers. */
  firstDay: number
  lastDay: number
  /** Registrations per Monday–Saturday day (a third of it on Sundays). */
  perDay: number
}

/** One parcel's events, in time order, from its registration time. */
function journey(
  random: () => number,
  registeredAt: number,
  registeredDay: number,
  events: [number, number, number][],
) {
  const between = (from: number, to: number) => from + (to - from) * random()
  const info = registeredAt + between(0, 90) * MINUTE_MS
  events.push([info, CODE.info_received, -1])
  const preTransitDays = weighted(random, [0.4, 0.4, 0.2])
  let pickupDay = nextScanDay(registeredDay + preTransitDays, false)
  let pickup = parisInstant(pickupDay, between(12 * 60, 19 * 60))
  if (pickup < info + 30 * MINUTE_MS) {
    pickupDay = nextScanDay(pickupDay, true)
    pickup = parisInstant(pickupDay, between(12 * 60, 19 * 60))
  }
  const transitDays = 1 + weighted(random, [0.45, 0.35, 0.13, 0.07])
  const hubDays: number[] = []
  let roundDay = pickupDay
  for (let day = 0; day < transitDays; day++) {
    roundDay = nextScanDay(roundDay, true)
    if (day < transitDays - 1 && random() < 0.7) hubDays.push(roundDay)
  }
  const givesEstimates = random() >= 0.15
  const estimate = (accuracy: number) => {
    if (!givesEstimates) return -1
    if (random() < accuracy) return roundDay
    return random() < 2 / 3 ? previousScanDay(roundDay) : nextScanDay(roundDay, true)
  }
  events.push([pickup, CODE.in_transit, estimate(0.7)])
  events.push([
    Math.max(pickup + 30 * MINUTE_MS, parisInstant(pickupDay, between(18 * 60, 21 * 60))),
    CODE.in_transit,
    estimate(0.7),
  ])
  for (const day of hubDays) {
    events.push([parisInstant(day, between(6 * 60, 21 * 60)), CODE.in_transit, estimate(0.85)])
  }
  const known = givesEstimates ? roundDay : -1
  // Out for delivery 07:00–10:00, the mean of two draws: most rounds leave around 08:30.
  const out = parisInstant(roundDay, 7 * 60 + 90 * (random() + random()))
  const arrival =
    random() < 0.75
      ? parisInstant(roundDay, between(6 * 60, 7 * 60 + 30))
      : parisInstant(previousScanDay(roundDay), between(15 * 60, 21 * 60))
  events.push([Math.min(arrival, out - 20 * MINUTE_MS), CODE.in_transit, known])
  events.push([out, CODE.out_for_delivery, known])
  const attempt = Math.max(out + 30 * MINUTE_MS, parisInstant(roundDay, between(9 * 60, 19 * 60)))
  if (random() >= 0.1) {
    events.push([attempt, CODE.delivered, known])
    return
  }
  events.push([attempt, CODE.failed_attempt, known])
  const pickupPointDay = nextScanDay(roundDay, true)
  const available = parisInstant(pickupPointDay, between(8 * 60, 12 * 60))
  events.push([available, CODE.available_for_pickup, known])
  let collectDay = pickupPointDay
  for (let wait = weighted(random, [0.3, 0.3, 0.2, 0.1, 0.1]); wait > 0; wait--) {
    collectDay = nextScanDay(collectDay, true)
  }
  const collected = Math.max(available + 30 * MINUTE_MS, parisInstant(collectDay, between(9 * 60, 19 * 60)))
  events.push([collected, CODE.delivered, known])
}

export function generateJourneys(options: JourneyOptions): Journeys {
  const random = seededRandom(options.seed)
  const registrations: { at: number; day: number }[] = []
  for (let day = options.firstDay; day < options.lastDay; day++) {
    const sunday = (((day + 4) % 7) + 7) % 7 === 0
    const count = Math.round(options.perDay * (sunday ? 1 / 3 : 1))
    for (let index = 0; index < count; index++) {
      registrations.push({ at: parisInstant(day, 7 * 60 + 15 * 60 * random()), day })
    }
  }
  registrations.sort((a, b) => a.at - b.at)
  const count = registrations.length
  const registeredAt = new Float64Array(count)
  const eventStart = new Int32Array(count + 1)
  const at: number[] = []
  const status: number[] = []
  const estimateDay: number[] = []
  const events: [number, number, number][] = []
  for (let index = 0; index < count; index++) {
    const registration = registrations[index] as { at: number; day: number }
    registeredAt[index] = registration.at
    eventStart[index] = at.length
    events.length = 0
    journey(random, registration.at, registration.day, events)
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    for (const [time, code, estimated] of events) {
      at.push(time)
      status.push(code)
      estimateDay.push(estimated)
    }
  }
  eventStart[count] = at.length
  return {
    count,
    registeredAt,
    eventStart,
    eventAt: Float64Array.from(at),
    eventStatus: Uint8Array.from(status),
    eventEstimateDay: Int32Array.from(estimateDay),
  }
}
