import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  addToBucketCounts,
  addValue,
  BUSINESS_DAY_BUCKETS,
  type BucketCounts,
  bucketIndexOf,
  countOf,
  decodeHistogram,
  emptyHistogram,
  encodeHistogram,
  type HistogramBuckets,
  HOUR_BUCKETS,
  histogramBytes,
  histogramOf,
  histogramOfBucketCounts,
  meanOf,
  mergeHistograms,
  quantileOf,
} from '../../../src/domain/analytics/histogram.js'

const PRESETS: [string, HistogramBuckets, number][] = [
  ['business days', BUSINESS_DAY_BUCKETS, 40],
  ['hours', HOUR_BUCKETS, 2000],
]

const values = (max: number) =>
  fc.array(fc.double({ min: 0, max, noNaN: true, noDefaultInfinity: true }), { maxLength: 60 })

describe('bucket presets', () => {
  it('resolve business days by half days up to 10, then by whole days up to 30', () => {
    const edges = BUSINESS_DAY_BUCKETS.lowerEdges
    expect(edges.slice(0, 4)).toEqual([0, 0.5, 1, 1.5])
    expect(edges).toContain(9.5)
    expect(edges).toContain(10)
    expect(edges).not.toContain(10.5)
    expect(edges.at(-1)).toBe(30)
  })

  it('cover hours up to about 60 days, finest first', () => {
    const edges = HOUR_BUCKETS.lowerEdges
    expect(edges.slice(0, 5)).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(edges.at(-1)).toBe(60 * 24)
    for (const [index, edge] of edges.entries()) {
      if (index > 0) expect(edge).toBeGreaterThan(edges[index - 1] ?? -1)
    }
  })
})

describe.each(PRESETS)('histogram of %s', (_, buckets, max) => {
  const arbitraryHistogram = values(max).map((list) => histogramOf(buckets, list))

  it('merges commutatively and associatively', () => {
    fc.assert(
      fc.property(arbitraryHistogram, arbitraryHistogram, arbitraryHistogram, (a, b, c) => {
        expect(mergeHistograms(a, b)).toEqual(mergeHistograms(b, a))
        expect(mergeHistograms(mergeHistograms(a, b), c)).toEqual(mergeHistograms(a, mergeHistograms(b, c)))
      }),
    )
  })

  it('counts every value once, and merged counts add up', () => {
    fc.assert(
      fc.property(values(max), values(max), (a, b) => {
        expect(countOf(histogramOf(buckets, a))).toBe(a.length)
        expect(countOf(mergeHistograms(histogramOf(buckets, a), histogramOf(buckets, b)))).toBe(
          a.length + b.length,
        )
      }),
    )
  })

  it('gives quantiles that grow with q and stay between the smallest and the largest value', () => {
    fc.assert(
      fc.property(
        values(max).filter((list) => list.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (list, q1, q2) => {
          const histogram = histogramOf(buckets, list)
          const [low, high] = q1 <= q2 ? [q1, q2] : [q2, q1]
          const atLow = quantileOf(histogram, low) ?? Number.NaN
          const atHigh = quantileOf(histogram, high) ?? Number.NaN
          expect(atLow).toBeLessThanOrEqual(atHigh)
          const smallest = Math.min(...list)
          const largest = Math.max(...list)
          expect(atLow).toBeGreaterThanOrEqual(Math.round(smallest * 1000) / 1000)
          expect(atHigh).toBeLessThanOrEqual(Math.round(largest * 1000) / 1000)
          expect(quantileOf(histogram, 0)).toBeCloseTo(smallest, 3)
          expect(quantileOf(histogram, 1)).toBeCloseTo(largest, 3)
        },
      ),
    )
  })

  it('round-trips through its encoding', () => {
    fc.assert(
      fc.property(arbitraryHistogram, (histogram) => {
        const stored = JSON.parse(JSON.stringify(encodeHistogram(histogram)))
        expect(decodeHistogram(stored, buckets)).toEqual(histogram)
        expect(histogramBytes(histogram)).toBe(JSON.stringify(stored).length)
      }),
    )
  })

  it('gives a merged histogram the quantiles and mean of one built from all values', () => {
    fc.assert(
      fc.property(values(max), values(max), fc.double({ min: 0, max: 1, noNaN: true }), (a, b, q) => {
        const merged = mergeHistograms(histogramOf(buckets, a), histogramOf(buckets, b))
        const whole = histogramOf(buckets, [...a, ...b])
        expect(quantileOf(merged, q)).toBe(quantileOf(whole, q))
        expect(meanOf(merged)).toBe(meanOf(whole))
      }),
    )
  })
})

describe('histogram', () => {
  it('reads a quantile off linearly within its bucket', () => {
    // Four of five values in [2, 2.5): their ranks are spread evenly over the bucket.
    const histogram = histogramOf(BUSINESS_DAY_BUCKETS, [2, 2.1, 2.3, 2.4, 7])
    expect(quantileOf(histogram, 0)).toBe(2)
    expect(quantileOf(histogram, 0.2)).toBeCloseTo(2.125, 9)
    expect(quantileOf(histogram, 0.4)).toBeCloseTo(2.25, 9)
    expect(quantileOf(histogram, 0.8)).toBeCloseTo(2.5, 9)
    expect(quantileOf(histogram, 1)).toBe(7)
    expect(meanOf(histogram)).toBeCloseTo(3.16, 9)
  })

  it('keeps values beyond the last edge in the last bucket, up to the largest', () => {
    const histogram = histogramOf(BUSINESS_DAY_BUCKETS, [31, 45])
    expect(histogram.counts.at(-1)).toBe(2)
    expect(quantileOf(histogram, 0)).toBe(31)
    expect(quantileOf(histogram, 0.5)).toBe(38)
    expect(quantileOf(histogram, 1)).toBe(45)
  })

  it('has no quantile nor mean while empty, and encodes as an empty list', () => {
    const empty = emptyHistogram(HOUR_BUCKETS)
    expect(quantileOf(empty, 0.5)).toBeUndefined()
    expect(meanOf(empty)).toBeUndefined()
    expect(encodeHistogram(empty)).toEqual({ c: [] })
    expect(histogramBytes(empty)).toBe('{"c":[]}'.length)
  })

  it('encodes counts without trailing zeros, and values in thousandths', () => {
    const histogram = histogramOf(BUSINESS_DAY_BUCKETS, [0.2, 1.25])
    expect(encodeHistogram(histogram)).toEqual({ c: [1, 0, 1], s: 1450, lo: 200, hi: 1250 })
  })

  it('refuses negative durations, other presets and malformed encodings', () => {
    expect(() => addValue(emptyHistogram(HOUR_BUCKETS), -1)).toThrow(RangeError)
    expect(() => addValue(emptyHistogram(HOUR_BUCKETS), Number.NaN)).toThrow(RangeError)
    expect(() => mergeHistograms(emptyHistogram(HOUR_BUCKETS), emptyHistogram(BUSINESS_DAY_BUCKETS))).toThrow(
      RangeError,
    )
    expect(() => quantileOf(emptyHistogram(HOUR_BUCKETS), 1.5)).toThrow(RangeError)
    for (const malformed of [
      null,
      {},
      { c: [-1] },
      { c: [1] },
      { c: [1], s: 1, lo: 2, hi: 1 },
      { c: [], s: 1 },
    ]) {
      expect(() => decodeHistogram(malformed, HOUR_BUCKETS)).toThrow(RangeError)
    }
    expect(() => decodeHistogram({ c: new Array(200).fill(1), s: 0, lo: 0, hi: 0 }, HOUR_BUCKETS)).toThrow(
      RangeError,
    )
  })
})

describe.each(PRESETS)('bucket counts of %s', (_, buckets, max) => {
  const countsOf = (list: readonly number[]): BucketCounts =>
    list.reduce<number[]>((counts, value) => addToBucketCounts(counts, bucketIndexOf(buckets, value)), [])

  it('count each value in the bucket a histogram of the values puts it in, from the first bucket in use to the last', () => {
    fc.assert(
      fc.property(values(max), (list) => {
        const counts = countsOf(list)
        const exact = histogramOf(buckets, list)
        expect(histogramOfBucketCounts(buckets, counts).counts).toEqual(exact.counts)
        if (list.length === 0) {
          expect(counts).toEqual([])
          return
        }
        const used = exact.counts.flatMap((count, index) => (count > 0 ? [index] : []))
        expect(counts[0]).toBe(used[0])
        expect(counts.length - 1).toBe((used.at(-1) ?? 0) - (used[0] ?? 0) + 1)
        expect(counts[1]).toBeGreaterThan(0)
        expect(counts.at(-1)).toBeGreaterThan(0)
      }),
    )
  })

  it('read every value to its bucket: quantiles stay within the edges of the buckets in use', () => {
    fc.assert(
      fc.property(
        values(max).filter((list) => list.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (list, q) => {
          const histogram = histogramOfBucketCounts(buckets, countsOf(list))
          const edges = buckets.lowerEdges
          const lowest = edges[bucketIndexOf(buckets, Math.min(...list))] ?? Number.NaN
          const highestBucket = bucketIndexOf(buckets, Math.max(...list))
          const highest = edges[highestBucket + 1] ?? edges[highestBucket] ?? Number.NaN
          const quantile = quantileOf(histogram, q) ?? Number.NaN
          expect(quantile).toBeGreaterThanOrEqual(lowest)
          expect(quantile).toBeLessThanOrEqual(highest)
          expect(quantileOf(histogram, 0)).toBe(lowest)
          expect(quantileOf(histogram, 1)).toBe(highest)
          expect(countOf(histogram)).toBe(list.length)
          // It merges with histograms of exact values (same buckets).
          expect(countOf(mergeHistograms(histogram, histogramOf(buckets, list)))).toBe(2 * list.length)
        },
      ),
    )
  })
})

describe('bucket counts', () => {
  it('grow on either side, and take each value at its bucket midpoint', () => {
    expect(addToBucketCounts([], 5)).toEqual([5, 1])
    expect(addToBucketCounts([5, 1], 7)).toEqual([5, 1, 0, 1])
    expect(addToBucketCounts([5, 1, 0, 1], 3)).toEqual([3, 1, 0, 1, 0, 1])
    expect(addToBucketCounts([3, 1, 0, 1], 5)).toEqual([3, 1, 0, 2])
    // One value in [0.25 h, 0.5 h), one in the last bucket (60 days and more, no upper edge).
    const histogram = histogramOfBucketCounts(HOUR_BUCKETS, [
      1,
      1,
      ...new Array(HOUR_BUCKETS.lowerEdges.length - 3).fill(0),
      1,
    ])
    expect(histogram).toMatchObject({ sumMilli: 375 + 1_440_000, minMilli: 250, maxMilli: 1_440_000 })
    expect(histogramOfBucketCounts(HOUR_BUCKETS, [])).toEqual(emptyHistogram(HOUR_BUCKETS))
  })

  it('refuse counts they never write', () => {
    for (const malformed of [
      [-1, 1],
      [0.5, 1],
      [0, -1],
      [0, 1.5],
      [HOUR_BUCKETS.lowerEdges.length, 1],
      [100, 1, 1],
    ]) {
      expect(() => histogramOfBucketCounts(HOUR_BUCKETS, malformed)).toThrow(RangeError)
    }
    expect(() => bucketIndexOf(HOUR_BUCKETS, -0.1)).toThrow(RangeError)
  })
})
