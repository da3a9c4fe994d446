import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  emptySummary,
  mergeAllSummaries,
  mergeSummaries,
} from '../../../src/domain/analytics/cell-summary.js'
import {
  BUSINESS_DAY_BUCKETS,
  emptyHistogram,
  HOUR_BUCKETS,
  mergeAllHistograms,
  mergeHistograms,
} from '../../../src/domain/analytics/histogram.js'
import { anyHistogram, anySummary } from '../../support/analytics-arbitraries.js'

describe('merging many at once', () => {
  it('gives the histogram that merging two by two gives, the empty one for none', () => {
    fc.assert(
      fc.property(fc.array(anyHistogram(HOUR_BUCKETS, 2000), { maxLength: 8 }), (histograms) => {
        expect(mergeAllHistograms(HOUR_BUCKETS, histograms)).toEqual(
          histograms.reduce(mergeHistograms, emptyHistogram(HOUR_BUCKETS)),
        )
      }),
    )
  })

  it('refuses histograms of other buckets', () => {
    expect(() => mergeAllHistograms(HOUR_BUCKETS, [emptyHistogram(BUSINESS_DAY_BUCKETS)])).toThrow(RangeError)
  })

  it('gives the summary that merging two by two gives, the empty one for none', () => {
    fc.assert(
      fc.property(fc.array(anySummary, { maxLength: 8 }), (summaries) => {
        expect(mergeAllSummaries(summaries)).toEqual(summaries.reduce(mergeSummaries, emptySummary()))
      }),
    )
  })
})
