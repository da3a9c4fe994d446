/**
 * Fixed-bucket histograms of non-negative durations. Every histogram of one preset has the same
 * buckets, so histograms merge by adding counts: storage grows with cells, not with parcels.
 *
 * Values are kept to a thousandth of their unit (3.6 s for hours): the sum, the smallest and the
 * largest value are then integers, and merging is exactly associative and commutative (floating-point
 * sums are not).
 */
export interface HistogramBuckets {
  /** Names the preset in errors; never encoded. */
  id: string
  /** Lower edge of each bucket, increasing from 0; the last bucket has no upper edge. */
  lowerEdges: readonly number[]
}

export interface Histogram {
  buckets: HistogramBuckets
  /** One count per bucket. */
  counts: readonly number[]
  /** Sum of the values, in thousandths. */
  sumMilli: number
  /** Smallest and largest value, in thousandths; absent while empty. */
  minMilli?: number
  maxMilli?: number
}

const MILLI = 1000

function steps(from: number, to: number, step: number): number[] {
  const edges: number[] = []
  for (let index = 0; from + index * step < to; index++) edges.push(from + index * step)
  return edges
}

/** Business days: half days up to 10, whole days up to 30, then one bucket for everything longer. */
export const BUSINESS_DAY_BUCKETS: HistogramBuckets = {
  id: 'business-days',
  lowerEdges: [...steps(0, 10, 0.5), ...steps(10, 31, 1)],
}

/**
 * Hours: quarter hours for the first hour (reporting lags), hours for the first day, then coarser
 * steps up to 60 days, and one bucket for everything longer.
 */
export const HOUR_BUCKETS: HistogramBuckets = {
  id: 'hours',
  lowerEdges: [
    ...steps(0, 1, 0.25),
    ...steps(1, 24, 1),
    ...steps(24, 72, 2),
    ...steps(72, 168, 6),
    ...steps(168, 720, 24),
    ...steps(720, 1441, 72),
  ],
}

export function emptyHistogram(buckets: HistogramBuckets): Histogram {
  return { buckets, counts: buckets.lowerEdges.map(() => 0), sumMilli: 0 }
}

function toMilli(value: number): number {
  return Math.round(value * MILLI)
}

/** Index of the bucket holding `valueMilli`: the last lower edge at or below it. */
function bucketIndexOfMilli(buckets: HistogramBuckets, valueMilli: number): number {
  const edges = buckets.lowerEdges
  let low = 0
  let high = edges.length - 1
  while (low < high) {
    const middle = Math.ceil((low + high) / 2)
    if (toMilli(edges[middle] ?? 0) <= valueMilli) low = middle
    else high = middle - 1
  }
  return low
}

function assertDuration(value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`not a non-negative duration: ${value}`)
}

/** Index of the bucket of `buckets` that holds `value`; a negative or non-finite value is a bug of the caller. */
export function bucketIndexOf(buckets: HistogramBuckets, value: number): number {
  assertDuration(value)
  return bucketIndexOfMilli(buckets, toMilli(value))
}

/** `histogram` with `value` added; a negative or non-finite value is a bug of the caller. */
export function addValue(histogram: Histogram, value: number): Histogram {
  assertDuration(value)
  const valueMilli = toMilli(value)
  const counts = [...histogram.counts]
  const index = bucketIndexOfMilli(histogram.buckets, valueMilli)
  counts[index] = (counts[index] ?? 0) + 1
  return {
    buckets: histogram.buckets,
    counts,
    sumMilli: histogram.sumMilli + valueMilli,
    minMilli: Math.min(histogram.minMilli ?? valueMilli, valueMilli),
    maxMilli: Math.max(histogram.maxMilli ?? valueMilli, valueMilli),
  }
}

export function histogramOf(buckets: HistogramBuckets, values: Iterable<number>): Histogram {
  let histogram = emptyHistogram(buckets)
  for (const value of values) histogram = addValue(histogram, value)
  return histogram
}

/**
 * A histogram kept by its bucket counts alone, in a few bytes of JSON, for what keeps no values of its
 * own: the index of the first bucket in use, then the count of each bucket from it to the last in use
 * (`[4, 2, 0, 1]`: two values in bucket 4, one in bucket 6). Empty: `[]`.
 */
export type BucketCounts = readonly number[]

/** `counts` with one more value in bucket `index`. */
export function addToBucketCounts(counts: BucketCounts, index: number): number[] {
  const [first, ...kept] = counts
  if (first === undefined) return [index, 1]
  const start = Math.min(first, index)
  const shifted = [...new Array<number>(first - start).fill(0), ...kept]
  const at = index - start
  while (shifted.length <= at) shifted.push(0)
  shifted[at] = (shifted[at] ?? 0) + 1
  return [start, ...shifted]
}

/**
 * The histogram of `counts` on `buckets`. Their values are known only to their bucket, so they are
 * taken as spread evenly across it, as a quantile reads them: the smallest value is the lower edge of
 * the first bucket in use, the largest the upper edge of the last one (its lower edge for the last
 * bucket, which has no upper edge), the sum that of each bucket's midpoint. Throws on counts
 * `addToBucketCounts` never gives.
 */
export function histogramOfBucketCounts(buckets: HistogramBuckets, counts: BucketCounts): Histogram {
  const [first, ...kept] = counts
  const histogram = emptyHistogram(buckets)
  if (first === undefined) return histogram
  const edges = buckets.lowerEdges
  if (!isCount(first) || first + kept.length > edges.length || !kept.every(isCount)) {
    throw new RangeError(`not ${buckets.id} bucket counts: ${JSON.stringify(counts)}`)
  }
  const all = [...histogram.counts]
  let sumMilli = 0
  let minMilli: number | undefined
  let maxMilli: number | undefined
  for (const [offset, count] of kept.entries()) {
    if (count === 0) continue
    const index = first + offset
    const lowMilli = toMilli(edges[index] ?? 0)
    const upperEdge = edges[index + 1]
    const highMilli = upperEdge === undefined ? lowMilli : toMilli(upperEdge)
    all[index] = count
    sumMilli += count * Math.round((lowMilli + highMilli) / 2)
    minMilli ??= lowMilli
    maxMilli = highMilli
  }
  if (minMilli === undefined || maxMilli === undefined) return histogram
  return { buckets, counts: all, sumMilli, minMilli, maxMilli }
}

function assertSameBuckets(a: Histogram, b: Histogram): void {
  const same =
    a.buckets === b.buckets ||
    (a.buckets.lowerEdges.length === b.buckets.lowerEdges.length &&
      a.buckets.lowerEdges.every((edge, index) => edge === b.buckets.lowerEdges[index]))
  if (!same) throw new RangeError(`cannot merge ${a.buckets.id} with ${b.buckets.id} histograms`)
}

function smaller(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b)
}

function larger(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b)
}

/** The histogram of both histograms' values together. */
export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  assertSameBuckets(a, b)
  const merged: Histogram = {
    buckets: a.buckets,
    counts: a.counts.map((count, index) => count + (b.counts[index] ?? 0)),
    sumMilli: a.sumMilli + b.sumMilli,
  }
  const minMilli = smaller(a.minMilli, b.minMilli)
  const maxMilli = larger(a.maxMilli, b.maxMilli)
  return minMilli === undefined || maxMilli === undefined ? merged : { ...merged, minMilli, maxMilli }
}

/**
 * The histogram of all the histograms' values together, on `buckets` (the empty histogram when there
 * is none): what merging them two by two gives, counted in one array.
 */
export function mergeAllHistograms(buckets: HistogramBuckets, histograms: Iterable<Histogram>): Histogram {
  const merged = emptyHistogram(buckets)
  const counts = [...merged.counts]
  let { sumMilli } = merged
  let minMilli: number | undefined
  let maxMilli: number | undefined
  for (const histogram of histograms) {
    assertSameBuckets(merged, histogram)
    for (const [index, count] of histogram.counts.entries()) counts[index] = (counts[index] ?? 0) + count
    sumMilli += histogram.sumMilli
    minMilli = smaller(minMilli, histogram.minMilli)
    maxMilli = larger(maxMilli, histogram.maxMilli)
  }
  const all = { buckets, counts, sumMilli }
  return minMilli === undefined || maxMilli === undefined ? all : { ...all, minMilli, maxMilli }
}

export function countOf(histogram: Histogram): number {
  return histogram.counts.reduce((total, count) => total + count, 0)
}

/** Mean of the values (to a thousandth); undefined when empty. */
export function meanOf(histogram: Histogram): number | undefined {
  const count = countOf(histogram)
  return count === 0 ? undefined : histogram.sumMilli / MILLI / count
}

/**
 * The `q`-quantile (0 ≤ q ≤ 1); undefined when empty. The rank q × count falls in one bucket; the
 * values of that bucket are taken as spread evenly between its edges, narrowed to the smallest and
 * largest value seen (the last bucket has no upper edge of its own), and the rank is read off linearly.
 * So q = 0 is the smallest value, q = 1 the largest, and a bucket of one value gives that value.
 */
export function quantileOf(histogram: Histogram, q: number): number | undefined {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1]: ${q}`)
  const { minMilli, maxMilli } = histogram
  const count = countOf(histogram)
  if (count === 0 || minMilli === undefined || maxMilli === undefined) return undefined
  const rank = q * count
  const edges = histogram.buckets.lowerEdges
  let below = 0
  for (const [index, bucketCount] of histogram.counts.entries()) {
    if (bucketCount === 0) continue
    if (rank <= below + bucketCount) {
      const lowMilli = Math.max(toMilli(edges[index] ?? 0), minMilli)
      const upperEdge = edges[index + 1]
      const highMilli = Math.min(upperEdge === undefined ? maxMilli : toMilli(upperEdge), maxMilli)
      const fraction = Math.max(0, rank - below) / bucketCount
      return (lowMilli + fraction * (highMilli - lowMilli)) / MILLI
    }
    below += bucketCount
  }
  return maxMilli / MILLI
}

/**
 * Stored form: `c` the counts with trailing zeros left out, `s` the sum, `lo`/`hi` the smallest and
 * largest value (thousandths); the buckets are the preset's, named by where the histogram is kept.
 */
export interface EncodedHistogram {
  c: number[]
  s?: number
  lo?: number
  hi?: number
}

export function encodeHistogram(histogram: Histogram): EncodedHistogram {
  let length = histogram.counts.length
  while (length > 0 && histogram.counts[length - 1] === 0) length--
  if (length === 0) return { c: [] }
  return {
    c: histogram.counts.slice(0, length),
    s: histogram.sumMilli,
    lo: histogram.minMilli,
    hi: histogram.maxMilli,
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

/** The histogram `encoded` stands for, on `buckets`; throws on anything `encodeHistogram` never writes. */
export function decodeHistogram(encoded: unknown, buckets: HistogramBuckets): Histogram {
  const invalid = () => new RangeError(`not an encoded ${buckets.id} histogram: ${JSON.stringify(encoded)}`)
  if (typeof encoded !== 'object' || encoded === null) throw invalid()
  const { c, s, lo, hi } = encoded as Record<string, unknown>
  if (!Array.isArray(c) || c.length > buckets.lowerEdges.length || !c.every(isCount)) throw invalid()
  const counts = buckets.lowerEdges.map((_, index) => (c[index] as number | undefined) ?? 0)
  if (counts.every((count) => count === 0)) {
    if (s !== undefined || lo !== undefined || hi !== undefined) throw invalid()
    return emptyHistogram(buckets)
  }
  if (!isCount(s) || !isCount(lo) || !isCount(hi) || lo > hi) throw invalid()
  return { buckets, counts, sumMilli: s, minMilli: lo, maxMilli: hi }
}

/** Size of the stored form, in bytes of UTF-8 JSON. */
export function histogramBytes(histogram: Histogram): number {
  return new TextEncoder().encode(JSON.stringify(encodeHistogram(histogram))).byteLength
}
