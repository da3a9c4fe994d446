/**
 * A year of one merchant's finished parcels as analytics cell-weeks, for the analytics query figure:
 * each parcel's outcome and durations are drawn and counted in its cell-week's summary. Seeded: the
 * same options give the same cells.
 */
import { type AnalyticsCell, isoWeekMonday, isoWeekOf } from '../src/domain/analytics/analytics-cell.js'
import type { CellSummary } from '../src/domain/analytics/cell-summary.js'
import {
  BUSINESS_DAY_BUCKETS,
  bucketIndexOf,
  type Histogram,
  type HistogramBuckets,
  HOUR_BUCKETS,
} from '../src/domain/analytics/histogram.js'
import { addCalendarDays, type CalendarDate } from '../src/domain/business-calendar.js'
import { seededRandom } from '../src/domain/seeded-random.js'
import type { CellWeekWrite } from '../src/store/redis/analytics-write.js'

interface CarrierMix {
  carrier: string
  /** Share of the merchant's parcels. */
  share: number
  /** Its services, each with its share of the carrier's parcels and its usual transit (business days). */
  services: ReadonlyArray<{ service: string; share: number; transitDays: number; pickupPoint?: boolean }>
}

/** A French webshop's mix: La Poste and the pickup-point networks first, express carriers after. */
export const CARRIER_MIX: readonly CarrierMix[] = [
  {
    carrier: 'laposte',
    share: 0.3,
    services: [
      { service: 'colissimo', share: 0.7, transitDays: 2 },
      { service: 'colissimo-signature', share: 0.2, transitDays: 2 },
      { service: 'colissimo-relais', share: 0.1, transitDays: 3, pickupPoint: true },
    ],
  },
  {
    carrier: 'mondialrelay',
    share: 0.18,
    services: [
      { service: 'point-relais', share: 0.85, transitDays: 4, pickupPoint: true },
      { service: 'domicile', share: 0.15, transitDays: 4 },
    ],
  },
  {
    carrier: 'chronopost',
    share: 0.12,
    services: [
      { service: 'chrono13', share: 0.5, transitDays: 1 },
      { service: 'chrono18', share: 0.3, transitDays: 1 },
      { service: 'chrono-relais', share: 0.2, transitDays: 1, pickupPoint: true },
    ],
  },
  { carrier: 'colisprive', share: 0.09, services: [{ service: '-', share: 1, transitDays: 3 }] },
  {
    carrier: 'dpd',
    share: 0.08,
    services: [
      { service: 'predict', share: 0.8, transitDays: 2 },
      { service: 'relais', share: 0.2, transitDays: 2, pickupPoint: true },
    ],
  },
  {
    carrier: 'gls',
    share: 0.07,
    services: [
      { service: 'business-parcel', share: 0.7, transitDays: 2 },
      { service: 'shop-delivery', share: 0.3, transitDays: 3, pickupPoint: true },
    ],
  },
  {
    carrier: 'relaiscolis',
    share: 0.06,
    services: [{ service: 'relais', share: 1, transitDays: 4, pickupPoint: true }],
  },
  {
    carrier: 'ups',
    share: 0.05,
    services: [
      { service: 'standard', share: 0.7, transitDays: 2 },
      { service: 'express-saver', share: 0.3, transitDays: 1 },
    ],
  },
  {
    carrier: 'dhl',
    share: 0.05,
    services: [
      { service: 'parcel', share: 0.6, transitDays: 3 },
      { service: 'express', share: 0.4, transitDays: 1 },
    ],
  },
]

/** The most populous départements first: their share falls off with their rank. */
const LARGEST_DEPARTMENTS = [
  '59', '75', '13', '69', '92', '93', '33', '62', '78', '77', '94', '31', '44', '91', '76', '95', '67',
  '06', '34', '38',
] // biome-ignore format: one table

/** Metropolitan départements (Corsica as 2A and 2B) and the overseas ones colis counts as `FR-97x`. */
function frenchDepartments(): string[] {
  const codes = Array.from({ length: 95 }, (_, index) => String(index + 1).padStart(2, '0'))
    .filter((code) => code !== '20')
    .concat(['2A', '2B', '971', '972', '973', '974', '976'])
  return [...LARGEST_DEPARTMENTS, ...codes.filter((code) => !LARGEST_DEPARTMENTS.includes(code))]
}

/** Countries a French shop ships to, beside France, by share of its parcels abroad. */
const COUNTRIES: ReadonlyArray<[country: string, share: number]> = [
  ['BE', 0.3],
  ['CH', 0.15],
  ['DE', 0.15],
  ['ES', 0.12],
  ['IT', 0.1],
  ['LU', 0.1],
  ['NL', 0.08],
]
const ABROAD_SHARE = 0.04
/** Population falls off roughly as rank^-0.8 across the départements (Nord to Lozère: about 1 to 40). */
const DEPARTMENT_FALLOFF = 0.8

export interface Destination {
  /** The analytics destination: `FR-59`, `FR-2A`, `BE`. */
  code: string
  share: number
  /** Business days beyond the carrier's usual transit. */
  extraDays: number
}

/** Every destination with its share of the parcels; the shares add up to 1. */
export function destinations(): Destination[] {
  const departments = frenchDepartments()
  const weights = departments.map((_, rank) => (rank + 1) ** -DEPARTMENT_FALLOFF)
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  return [
    ...departments.map((code, rank) => ({
      code: `FR-${code}`,
      share: ((weights[rank] ?? 0) / total) * (1 - ABROAD_SHARE),
      extraDays: code.length === 3 ? 4 : code.startsWith('2') ? 1 : 0,
    })),
    ...COUNTRIES.map(([code, share]) => ({ code, share: share * ABROAD_SHARE, extraDays: 2 })),
  ]
}

/** The week's share of the year's parcels: Black Friday and Christmas peaks, a summer dip. */
export function weekWeight(week: string): number {
  const number = Number(week.slice(6, 8))
  if (number === 48) return 2
  if (number >= 49 && number <= 51) return 1.6
  if (number >= 31 && number <= 33) return 0.8
  return 1
}

/** The `count` ISO weeks that end with `lastWeek`, oldest first. */
export function weeksEndingWith(lastWeek: string, count: number): string[] {
  const monday = isoWeekMonday(lastWeek)
  return Array.from({ length: count }, (_, index) =>
    isoWeekOf(addCalendarDays(monday, -7 * (count - 1 - index)) as CalendarDate),
  )
}

/** Picks an index with probability proportional to its weight, by binary search on the running sums. */
function pickerOf(weights: readonly number[], random: () => number): () => number {
  const cumulative: number[] = []
  let total = 0
  for (const weight of weights) {
    total += weight
    cumulative.push(total)
  }
  return () => {
    const target = random() * total
    let low = 0
    let high = cumulative.length - 1
    while (low < high) {
      const middle = (low + high) >> 1
      if ((cumulative[middle] ?? 0) > target) high = middle
      else low = middle + 1
    }
    return low
  }
}

/** Parcels handed over on each day of a week, Monday first: little at the weekend. */
const WEEKDAY_WEIGHTS = [1.3, 1.1, 1, 1, 1, 0.4, 0.1]

/**
 * A histogram of `values`, counted at once: the domain's `addValue` copies the counts for each value,
 * which over a year of parcels is most of the seeding time. Buckets as `addValue` picks them.
 */
export function histogramOfValues(buckets: HistogramBuckets, values: readonly number[]): Histogram {
  const counts = buckets.lowerEdges.map(() => 0)
  let sumMilli = 0
  let minMilli = Number.POSITIVE_INFINITY
  let maxMilli = Number.NEGATIVE_INFINITY
  for (const value of values) {
    const valueMilli = Math.round(value * 1000)
    const index = bucketIndexOf(buckets, value)
    counts[index] = (counts[index] ?? 0) + 1
    sumMilli += valueMilli
    minMilli = Math.min(minMilli, valueMilli)
    maxMilli = Math.max(maxMilli, valueMilli)
  }
  return values.length === 0
    ? { buckets, counts, sumMilli }
    : { buckets, counts, sumMilli, minMilli, maxMilli }
}

/** A cell-week's parcels so far: counts, and the values of its histograms until it is summed up. */
interface CellParcels
  extends Pick<
    CellSummary,
    'parcels' | 'delivered' | 'returned' | 'expired' | 'onTime' | 'firstAttempt' | 'exceptions' | 'stalls'
  > {
  cell: AnalyticsCell
  pickups: number
  collectionHours: number[]
  transitDays: number[]
  transitHours: number[]
  firstScanLagHours: number[]
  reportingLagHours: number[]
}

function noParcels(cell: AnalyticsCell): CellParcels {
  return {
    cell,
    parcels: 0,
    delivered: 0,
    returned: 0,
    expired: 0,
    onTime: { yes: 0, total: 0 },
    firstAttempt: { yes: 0, total: 0 },
    pickups: 0,
    exceptions: 0,
    stalls: 0,
    collectionHours: [],
    transitDays: [],
    transitHours: [],
    firstScanLagHours: [],
    reportingLagHours: [],
  }
}

/**
 * One more finished parcel of a lane whose usual transit is `transitDays`, counted as the store counts
 * a parcel (docs/analytics.md): on time and first attempt among delivered parcels only, transit and
 * collection of delivered parcels only, a reporting lag per scan.
 */
function addParcel(
  into: CellParcels,
  random: () => number,
  lane: { transitDays: number; pickupPoint: boolean; weekday: number },
): void {
  const chance = (probability: number) => random() < probability
  const outcomeDraw = random()
  const outcome = outcomeDraw < 0.965 ? 'delivered' : outcomeDraw < 0.99 ? 'returned' : 'expired'
  into.parcels++
  if (outcome === 'returned') into.returned++
  if (outcome === 'expired') into.expired++
  if (chance(outcome === 'delivered' ? 0.03 : 0.4)) into.exceptions++
  if (chance(outcome === 'delivered' ? 0.01 : 0.3)) into.stalls++
  into.firstScanLagHours.push(chance(0.9) ? 2 + random() * 30 : 24 + random() * 120)
  const scans = 4 + Math.floor(random() * 5)
  for (let scan = 0; scan < scans; scan++)
    into.reportingLagHours.push(chance(0.8) ? random() * 0.5 : random() * (chance(0.9) ? 6 : 48))
  if (outcome !== 'delivered') return
  into.delivered++
  // Mostly on time, a day or two late now and then, rarely much later.
  const lateDays = chance(0.7) ? 0 : chance(0.75) ? 1 : chance(0.7) ? 2 : 3 + Math.floor(random() * 8)
  const earlyDays = lateDays === 0 && lane.transitDays > 1 && chance(0.2) ? 1 : 0
  const transitDays = Math.max(0, lane.transitDays + lateDays - earlyDays)
  into.transitDays.push(transitDays)
  // A weekend on the way adds calendar hours, not business days.
  const weekendHours = lane.weekday + transitDays >= 5 ? 48 : 0
  into.transitHours.push(Math.max(1, transitDays * 24 + weekendHours + (random() - 0.5) * 16))
  if (chance(0.7)) {
    into.onTime.total++
    if (transitDays <= lane.transitDays + 1) into.onTime.yes++
  }
  const atPickupPoint = lane.pickupPoint ? chance(0.95) : chance(0.03)
  into.firstAttempt.total++
  if (atPickupPoint || chance(0.92)) into.firstAttempt.yes++
  if (atPickupPoint) {
    into.pickups++
    into.collectionHours.push(chance(0.6) ? 2 + random() * 46 : 48 + random() * 250)
  }
}

function summaryOf(parcels: CellParcels): CellSummary {
  return {
    parcels: parcels.parcels,
    delivered: parcels.delivered,
    returned: parcels.returned,
    expired: parcels.expired,
    onTime: parcels.onTime,
    firstAttempt: parcels.firstAttempt,
    pickup: { count: parcels.pickups, collection: histogramOfValues(HOUR_BUCKETS, parcels.collectionHours) },
    exceptions: parcels.exceptions,
    stalls: parcels.stalls,
    transitDays: histogramOfValues(BUSINESS_DAY_BUCKETS, parcels.transitDays),
    transitHours: histogramOfValues(HOUR_BUCKETS, parcels.transitHours),
    firstScanLag: histogramOfValues(HOUR_BUCKETS, parcels.firstScanLagHours),
    reportingLag: histogramOfValues(HOUR_BUCKETS, parcels.reportingLagHours),
  }
}

export interface AnalyticsYearOptions {
  merchantId: string
  parcels: number
  /** The year's last ISO week; the year is the 52 weeks that end with it. */
  lastWeek: string
  seed: number
  /**
   * Shards each parcel falls in, as its tracking would (COLIS_SHARDS): above one, each cell-week comes
   * out as its part in each shard it has parcels in. The parcels drawn are the same whatever the count.
   */
  shards?: number
}

/** `total` shared out in proportion to `weights`, in whole numbers that add up to it (largest remainders). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((weight) => (total * weight) / sum)
  const shares = exact.map(Math.floor)
  const left = total - shares.reduce((a, b) => a + b, 0)
  const byRemainder = exact
    .map((value, index) => ({ index, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index)
  for (const { index } of byRemainder.slice(0, left)) shares[index] = (shares[index] ?? 0) + 1
  return shares
}

/**
 * The cell-weeks a merchant's `parcels` finished parcels fill over 52 weeks, a week at a time (a
 * year of decoded summaries at once would take hundreds of MB): the weeks share the parcels by
 * season (`weekWeight`), and each parcel draws its carrier and service (CARRIER_MIX), its destination
 * (population, a few countries), then its outcome and durations. Only cell-weeks with parcels come out.
 */
export function* generateAnalyticsYear(options: AnalyticsYearOptions): Generator<CellWeekWrite[]> {
  const random = seededRandom(options.seed)
  const shards = options.shards ?? 1
  // A stream of its own: the parcels' draws stay those of one shard.
  const shardRandom = seededRandom(options.seed + 1)
  const weeks = weeksEndingWith(options.lastWeek, 52)
  const parcelsOfWeek = apportion(options.parcels, weeks.map(weekWeight))
  const lanes = CARRIER_MIX.flatMap(({ carrier, share, services }) =>
    services.map((service) => ({ carrier, ...service, share: share * service.share })),
  )
  const places = destinations()
  const pickLane = pickerOf(
    lanes.map((lane) => lane.share),
    random,
  )
  const pickPlace = pickerOf(
    places.map((place) => place.share),
    random,
  )
  const pickWeekday = pickerOf(WEEKDAY_WEIGHTS, random)
  for (const [index, week] of weeks.entries()) {
    const parcelsOfCell = new Map<string, CellParcels>()
    const shardOfCell = new Map<string, number>()
    for (let parcel = 0; parcel < (parcelsOfWeek[index] ?? 0); parcel++) {
      const lane = lanes[pickLane()] as (typeof lanes)[number]
      const place = places[pickPlace()] as Destination
      const shard = shards > 1 ? Math.floor(shardRandom() * shards) : 0
      const key = `${lane.carrier}|${lane.service}|${place.code}|${shard}`
      let parcels = parcelsOfCell.get(key)
      if (!parcels) {
        parcels = noParcels({
          merchantId: options.merchantId,
          carrier: lane.carrier,
          service: lane.service,
          destination: place.code,
          week,
        })
        parcelsOfCell.set(key, parcels)
        shardOfCell.set(key, shard)
      }
      addParcel(parcels, random, {
        transitDays: lane.transitDays + place.extraDays,
        pickupPoint: lane.pickupPoint === true,
        weekday: pickWeekday(),
      })
    }
    yield [...parcelsOfCell].map(([key, parcels]) => ({
      cell: parcels.cell,
      summary: summaryOf(parcels),
      ...(shards > 1 ? { shard: shardOfCell.get(key) ?? 0 } : {}),
    }))
  }
}
