import {
  addCalendarDays,
  atParisHour,
  type CalendarDate,
  type DayKind,
  isBusinessDay,
  parisDateOfTimestamp,
  promisedDate,
} from '../business-calendar.js'
import { formatInZone, instantOf } from '../paris-time.js'
import { seededRandom } from '../seeded-random.js'
import type { DeliveryHistoryRow } from './delivery-history.js'
import { arrivalDate, forecastRegionOf, readDestination } from './transit-days.js'

/** Probabilities by business days (index = days). */
type Mixture = readonly number[]

interface SyntheticService {
  name: string
  base: Mixture
  promiseDays: number
}

interface SyntheticCarrier {
  id: string
  dayKind: DayKind
  share: number
  services: readonly SyntheticService[]
  /** Whether its history carries its own estimate of the arrival date. */
  estimates: boolean
}

interface SyntheticLane {
  destination: string
  share: number
  extra: Mixture
}

/** Invented carriers, lanes and effects: the distributions the backtest must recover. */
export const SYNTHETIC_CARRIERS: readonly SyntheticCarrier[] = [
  {
    id: 'carrier-a',
    dayKind: 'ouvrables',
    share: 0.45,
    estimates: true,
    services: [
      { name: 'standard', base: [0, 0.05, 0.4, 0.33, 0.12, 0.06, 0.04], promiseDays: 3 },
      { name: 'express', base: [0, 0.62, 0.28, 0.1], promiseDays: 1 },
    ],
  },
  {
    id: 'carrier-b',
    dayKind: 'ouvres',
    share: 0.35,
    estimates: false,
    services: [
      { name: 'standard', base: [0, 0, 0.15, 0.35, 0.28, 0.12, 0.06, 0.04], promiseDays: 4 },
      { name: 'relay', base: [0, 0, 0.1, 0.3, 0.3, 0.2, 0.1], promiseDays: 4 },
    ],
  },
  {
    id: 'carrier-c',
    dayKind: 'ouvres',
    share: 0.2,
    estimates: true,
    services: [{ name: 'standard', base: [0, 0.25, 0.35, 0.2, 0.1, 0.05, 0, 0.05], promiseDays: 3 }],
  },
]

export const SYNTHETIC_LANES: readonly SyntheticLane[] = [
  { destination: '75011', share: 0.22, extra: [1] },
  { destination: '69003', share: 0.14, extra: [0.8, 0.2] },
  { destination: '13008', share: 0.12, extra: [0.6, 0.4] },
  { destination: '29200', share: 0.08, extra: [0.3, 0.6, 0.1] },
  { destination: '67000', share: 0.08, extra: [0.7, 0.3] },
  { destination: '20000', share: 0.05, extra: [0, 0.2, 0.5, 0.3] },
  { destination: '97400', share: 0.04, extra: [0, 0, 0, 0, 0.3, 0.4, 0, 0.3] },
  { destination: 'BE', share: 0.1, extra: [0.2, 0.6, 0.2] },
  { destination: 'DE', share: 0.1, extra: [0, 0.3, 0.5, 0.2] },
  { destination: 'ES', share: 0.07, extra: [0, 0.2, 0.4, 0.4] },
]

const ORIGINS = ['75015', '69007', '59000'] as const

/** Monday's backlog and Friday's weekend both slow a parcel handed over then, by one day at times. */
const WEEKDAY_EXTRA: Record<number, Mixture> = { 1: [0.85, 0.15], 5: [0.7, 0.3], 6: [0.6, 0.4] }

/** Handed over after the collection round, a parcel mostly leaves the next day. */
const LATE_HANDOVER = { fromHour: 16, extra: [0.2, 0.8] } as const

/** The carrier whose service degrades for one month, and how. */
export const DEGRADED = { carrier: 'carrier-b', month: '2025-06', extra: [0.3, 0.3, 0.25, 0.15] } as const

const FIRST_DAY = '2025-01-06'
const WEEKS = 52

export interface SyntheticHistoryOptions {
  parcels: number
  seed: number
}

function convolve(a: Mixture, b: Mixture): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0)
  a.forEach((pa, i) => {
    b.forEach((pb, j) => {
      out[i + j] = (out[i + j] ?? 0) + pa * pb
    })
  })
  return out
}

/** Slow drift over the year, then the end-of-year peak: a chance of one more day. */
function driftOf(day: CalendarDate): Mixture {
  const month = Number(day.slice(5, 7))
  const slower = month >= 11 ? 0.35 : ((month - 1) / 12) * 0.2
  return [1 - slower, slower]
}

/**
 * The true distribution of transit business days of a parcel handed over on `day`: the service's,
 * convolved with its lane's, its weekday's, the drift's, a late handover's and, in its bad month, the
 * degraded carrier's.
 */
export function knownTransitDistribution(
  carrier: SyntheticCarrier,
  service: SyntheticService,
  lane: SyntheticLane,
  day: CalendarDate,
  hour: number,
): number[] {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay()
  let mixture = convolve(convolve(service.base, lane.extra), driftOf(day))
  mixture = convolve(mixture, WEEKDAY_EXTRA[weekday] ?? [1])
  if (hour >= LATE_HANDOVER.fromHour) mixture = convolve(mixture, LATE_HANDOVER.extra)
  if (carrier.id === DEGRADED.carrier && day.startsWith(DEGRADED.month))
    mixture = convolve(mixture, DEGRADED.extra)
  return mixture
}

function pick<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): T {
  const total = items.reduce((sum, item) => sum + weightOf(item), 0)
  let left = random() * total
  for (const item of items) {
    left -= weightOf(item)
    if (left < 0) return item
  }
  const last = items.at(-1)
  if (last === undefined) throw new RangeError('nothing to pick from')
  return last
}

function sampleDays(mixture: Mixture, random: () => number): number {
  return pick([...mixture.keys()], (days) => mixture[days] ?? 0, random)
}

/** Every day a parcel may be handed over on, Saturdays less often. */
function handoverDays(): Array<{ day: CalendarDate; weight: number }> {
  const days: Array<{ day: CalendarDate; weight: number }> = []
  for (let i = 0; i < WEEKS * 7; i++) {
    const day = addCalendarDays(FIRST_DAY, i)
    if (!isBusinessDay(day, 'ouvrables')) continue
    days.push({ day, weight: new Date(`${day}T00:00:00Z`).getUTCDay() === 6 ? 0.3 : 1 })
  }
  return days
}

function timeOn(day: CalendarDate, hour: number, random: () => number): string {
  return formatInZone(atParisHour(day, hour) + Math.floor(random() * 60) * 60_000)
}

function workingHour(random: () => number): number {
  return 8 + Math.floor(random() * 11)
}

/** `parcels` delivered parcels over a year, with promises on most and the carrier's estimate where it gives one. */
export function generateSyntheticHistory(options: SyntheticHistoryOptions): DeliveryHistoryRow[] {
  const random = seededRandom(options.seed)
  const days = handoverDays()
  const rows: DeliveryHistoryRow[] = []
  for (let i = 0; i < options.parcels; i++) {
    const carrier = pick(SYNTHETIC_CARRIERS, (c) => c.share, random)
    const service = pick(carrier.services, () => 1, random)
    const lane = pick(SYNTHETIC_LANES, (l) => l.share, random)
    const { day } = pick(days, (d) => d.weight, random)
    const destination = readDestination(lane.destination)
    const postalCode = destination && forecastRegionOf(destination).postalCode
    const hour = workingHour(random)
    const transit = sampleDays(knownTransitDistribution(carrier, service, lane, day, hour), random)
    const handedOverAt = timeOn(day, hour, random)
    const row: DeliveryHistoryRow = {
      carrier: carrier.id,
      service: service.name,
      origin: pick(ORIGINS, () => 1, random),
      destination: lane.destination,
      handedOverAt,
      deliveredAt: timeOn(
        arrivalDate(day, transit, carrier.dayKind, postalCode),
        workingHour(random),
        random,
      ),
      dayKind: carrier.dayKind,
    }
    const laneDays = lane.extra.indexOf(Math.max(...lane.extra))
    if (random() < 0.7) {
      row.promisedDate = promisedDate(
        { shippedAt: handedOverAt, businessDays: service.promiseDays + laneDays, dayKind: carrier.dayKind },
        postalCode,
      )
    }
    if (carrier.estimates) {
      const usual = service.base.indexOf(Math.max(...service.base)) + laneDays
      row.carrierEstimate = arrivalDate(day, usual, carrier.dayKind, postalCode)
    }
    rows.push(row)
  }
  return rows.sort((a, b) => (a.handedOverAt < b.handedOverAt ? -1 : a.handedOverAt > b.handedOverAt ? 1 : 0))
}

/** The true distribution a generated row was drawn from; undefined for a row this generator cannot have written. */
export function knownTransitOfRow(
  row: Pick<DeliveryHistoryRow, 'carrier' | 'service' | 'destination' | 'handedOverAt'>,
): number[] | undefined {
  const carrier = SYNTHETIC_CARRIERS.find((c) => c.id === row.carrier)
  const service = carrier?.services.find((s) => s.name === row.service)
  const lane = SYNTHETIC_LANES.find((l) => l.destination === row.destination)
  const day = parisDateOfTimestamp(row.handedOverAt)
  if (!carrier || !service || !lane || !day) return undefined
  const hour = Number(formatInZone(instantOf(row.handedOverAt)).slice(11, 13))
  return knownTransitDistribution(carrier, service, lane, day, hour)
}
