import { describe, expect, it } from 'vitest'
import { emptySummary } from '../../src/domain/analytics/cell-summary.js'
import { BUSINESS_DAY_BUCKETS, histogramOf } from '../../src/domain/analytics/histogram.js'
import { createSilentLogger } from '../../src/logger.js'
import { createForecastModelHolder, forecastHistoryWeeks } from '../../src/main/forecast-models.js'
import { startForecastRefresh } from '../../src/main/forecast-refresh.js'
import type { StoredCell } from '../../src/store/analytics-store.js'

const NOW = new Date('2026-12-02T10:00:00+01:00')

const cell = (days: number[]): StoredCell => ({
  cell: { merchantId: 'm1', carrier: 'acme', service: 'standard', destination: 'FR-75', week: '2026-W47' },
  summary: { ...emptySummary(), transitDays: histogramOf(BUSINESS_DAY_BUCKETS, days) },
})

describe('the forecast model holder', () => {
  it('reads every merchant over the last weeks, the current one included', () => {
    expect(forecastHistoryWeeks(NOW.getTime(), 26)).toEqual({ from: '2026-W24', to: '2026-W49' })
    expect(forecastHistoryWeeks(NOW.getTime(), 1)).toEqual({ from: '2026-W49', to: '2026-W49' })
  })

  it('loads at start, and keeps the model it had when a later load fails', async () => {
    const asked: unknown[][] = []
    let fail = false
    const holder = createForecastModelHolder({
      analytics: {
        cells: async (...args) => {
          asked.push(args)
          if (fail) throw new Error('Connection is closed.')
          return [cell([1, 2, 2])]
        },
      },
      historyWeeks: 26,
      now: () => NOW,
    })
    expect(holder.model()).toBeUndefined()
    const refresh = await startForecastRefresh(holder, 600_000, createSilentLogger())
    try {
      expect(asked).toEqual([['all', '2026-W24', '2026-W49']])
      const loaded = holder.model()
      expect(loaded?.cells.get('acme')).toEqual({ counts: [0, 1, 2], samples: 3 })
      fail = true
      await expect(holder.refresh()).rejects.toThrow('Connection is closed.')
      expect(holder.model()).toBe(loaded)
    } finally {
      refresh.stop()
    }
  })
})
