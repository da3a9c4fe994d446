import { describe, expect, it } from 'vitest'
import { groupSummaries } from '../../src/domain/analytics/carrier-report.js'
import {
  addOutcome,
  emptySummary,
  GROUP_BY,
  mergeSummaries,
} from '../../src/domain/analytics/cell-summary.js'
import { countOf } from '../../src/domain/analytics/histogram.js'
import { parcelOutcome } from '../../src/domain/analytics/parcel-outcome.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import { ALL_MERCHANTS, type AnalyticsStore, DEFAULT_OUTCOME_FACTS } from '../../src/store/analytics-store.js'
import type { TrackingStore } from '../../src/store/tracking-store.js'
import { alert, loadOne, parcel, saveOne, scan, T0 } from './store-helpers.js'

export interface AnalyticsStores {
  trackings: TrackingStore
  analytics: AnalyticsStore
}

/** Cells kept this long: the fixed dates of these tests stay within it for a century. */
export const CENTURY_MS = 100 * 365 * 24 * 3600 * 1000

/** T0 is Friday 27 March 2026, in ISO week 13. */
const WEEK = '2026-W13'
const HOUR_MS = 3_600_000
const at = (hours: number) => new Date(T0 + hours * HOUR_MS).toISOString()

/**
 * What every analytics store answers, the cell-weeks a tracking store's saves fill in: run over the
 * memory twin and Redis. `createStores` gives empty stores on one shared state each time.
 */
export function runAnalyticsStoreContract(
  name: string,
  createStores: (options: { retentionMs: number }) => AnalyticsStores,
) {
  const fresh = () => createStores({ retentionMs: CENTURY_MS })

  async function registered(trackings: TrackingStore, overrides: Parameters<typeof parcel>[0] = {}) {
    const { record } = await trackings.register(
      parcel({ destinationCountry: 'FR', destinationPostalCode: '75011', ...overrides }),
      new Date(T0 - HOUR_MS),
    )
    return record
  }

  /** Saves the tracking with `events` and `changes` on its record, from the version it has now. */
  async function saveState(
    trackings: TrackingStore,
    id: string,
    changes: Partial<TrackingRecord>,
    events?: TrackingEvent[],
  ) {
    const view = await loadOne(trackings, id)
    const record = { ...view.record, ...changes }
    await saveOne(trackings, { before: view, record, events, nextPoll: 'none' })
    return { record, events: events ?? view.events }
  }

  function journey(trackingNumber: string, last: TrackingEvent['status'], hours = 48) {
    return [scan(trackingNumber, 'PC1', at(0), 'in_transit'), scan(trackingNumber, 'LAST', at(hours), last)]
  }

  async function deliver(trackings: TrackingStore, id: string, trackingNumber: string, hours = 48) {
    return saveState(
      trackings,
      id,
      { status: 'delivered', deliveredAt: at(hours), stopped: 'terminal' },
      journey(trackingNumber, 'delivered', hours),
    )
  }

  describe(`${name}: a finished parcel in its cell`, () => {
    it('counts a delivered parcel once, in its cell-week, with its metrics', async () => {
      const { trackings, analytics } = fresh()
      const record = await registered(trackings, {
        promisedDeliveryDate: '2026-03-31',
        metadata: { any: 'thing' },
      })
      const finished = await deliver(trackings, record.id, record.trackingNumber)

      const cells = await analytics.cells('shop-a', WEEK, WEEK)
      expect(cells.map(({ cell }) => cell)).toEqual([
        { merchantId: 'shop-a', carrier: 'laposte', service: '-', destination: 'FR-75', week: WEEK },
      ])
      const outcome = parcelOutcome(finished.record, finished.events, DEFAULT_OUTCOME_FACTS('laposte'))
      if (!outcome) throw new Error('setup: the parcel is finished')
      const summary = cells[0]?.summary
      expect(summary).toEqual(addOutcome(emptySummary(), outcome))
      expect(summary).toMatchObject({ parcels: 1, delivered: 1, returned: 0, expired: 0 })
      expect(summary?.onTime).toEqual({ yes: 1, total: 1 })
      expect(summary?.firstAttempt).toEqual({ yes: 1, total: 1 })
      expect(summary?.transitHours).toMatchObject({ minMilli: 48_000, maxMilli: 48_000, sumMilli: 48_000 })
      expect(summary && countOf(summary.transitDays)).toBe(1)
      expect(summary?.firstScanLag).toMatchObject({ minMilli: 1000, maxMilli: 1000 })
    })

    it('counts a returned parcel and an expired one under their outcomes', async () => {
      const { trackings, analytics } = fresh()
      const returned = await registered(trackings, { trackingNumber: 'RET1' })
      const expired = await registered(trackings, { trackingNumber: 'EXP1' })
      await saveState(
        trackings,
        returned.id,
        { status: 'returned_to_sender', final: true, stopped: 'terminal' },
        journey('RET1', 'returned_to_sender'),
      )
      await saveState(trackings, expired.id, { status: 'expired', stopped: 'expired' })

      const [cell, ...others] = await analytics.cells('shop-a', WEEK, WEEK)
      expect(others).toEqual([])
      expect(cell?.summary).toMatchObject({ parcels: 2, delivered: 0, returned: 1, expired: 1 })
      expect(cell?.summary.firstAttempt).toEqual({ yes: 0, total: 0 })
    })

    it('counts nothing for a parcel on its way, nor for a return not yet final', async () => {
      const { trackings, analytics } = fresh()
      const record = await registered(trackings)
      await saveState(
        trackings,
        record.id,
        { status: 'in_transit' },
        journey(record.trackingNumber, 'in_transit'),
      )
      await saveState(trackings, record.id, { status: 'returned_to_sender', final: false })
      expect(await analytics.cells('shop-a', WEEK, WEEK)).toEqual([])
    })

    it('counts a replayed save once: the second one conflicts and writes nothing', async () => {
      const { trackings, analytics } = fresh()
      const record = await registered(trackings)
      const view = await loadOne(trackings, record.id)
      const change = {
        before: view,
        record: {
          ...view.record,
          status: 'delivered' as const,
          deliveredAt: at(48),
          stopped: 'terminal' as const,
        },
        events: journey(record.trackingNumber, 'delivered'),
      }
      expect(await trackings.save([change])).toEqual(['saved'])
      expect(await trackings.save([change])).toEqual(['conflict'])
      const [cell] = await analytics.cells('shop-a', WEEK, WEEK)
      expect(cell?.summary.parcels).toBe(1)
    })

    it('counts a parcel once even when its status flaps back and finishes again', async () => {
      const { trackings, analytics } = fresh()
      const record = await registered(trackings)
      await deliver(trackings, record.id, record.trackingNumber)
      await saveState(trackings, record.id, { status: 'in_transit', stopped: undefined })
      await deliver(trackings, record.id, record.trackingNumber, 72)
      // A later write of the finished tracking (an alert resolved) is no new finish either.
      await saveState(trackings, record.id, { alerts: [alert('alr_1', 'late', 1)] })

      const [cell] = await analytics.cells('shop-a', WEEK, WEEK)
      expect(cell?.summary.parcels).toBe(1)
      expect(cell?.summary.transitHours.maxMilli).toBe(48_000)
    })

    it('adds each parcel a batch finishes, among saves with alerts and saves that finish nothing', async () => {
      const { trackings, analytics } = fresh()
      const first = await registered(trackings, { trackingNumber: 'B1' })
      const idle = await registered(trackings, { trackingNumber: 'B2' })
      const second = await registered(trackings, { trackingNumber: 'B3' })
      const views = await trackings.loadForPoll([first.id, idle.id, second.id])
      const finish = (index: number, hours: number) => {
        const view = views[index]
        if (!view) throw new Error('setup')
        const late = alert(`alr_${index}`, 'late', 1)
        return {
          before: view,
          record: {
            ...view.record,
            status: 'delivered' as const,
            stopped: 'terminal' as const,
            alerts: [{ ...late, resolvedAt: at(hours) }],
          },
          events: journey(view.record.trackingNumber, 'delivered', hours),
          alerts: { opened: [], resolved: [{ ...late, resolvedAt: at(hours) }], nextCheckAtMs: undefined },
          nextPoll: 'none' as const,
        }
      }
      const idleView = views[1]
      if (!idleView) throw new Error('setup')
      expect(
        await trackings.save([
          finish(0, 24),
          { before: idleView, record: { ...idleView.record } },
          finish(2, 96),
        ]),
      ).toEqual(['saved', 'saved', 'saved'])

      const [cell] = await analytics.cells('shop-a', WEEK, WEEK)
      expect(cell?.summary.parcels).toBe(2)
      expect(cell?.summary.transitHours).toMatchObject({
        minMilli: 24_000,
        maxMilli: 96_000,
        sumMilli: 120_000,
      })
    })
  })

  describe(`${name}: reading cells`, () => {
    it("keeps merchants apart; 'all' gives every merchant's cells", async () => {
      const { trackings, analytics } = fresh()
      const a = await registered(trackings, { merchantId: 'shop-a' })
      const b = await registered(trackings, { merchantId: 'shop-b', destinationPostalCode: '69001' })
      await deliver(trackings, a.id, a.trackingNumber)
      await deliver(trackings, b.id, b.trackingNumber)

      const ofA = await analytics.cells('shop-a', WEEK, WEEK)
      const ofB = await analytics.cells('shop-b', WEEK, WEEK)
      expect(ofA.map(({ cell }) => [cell.merchantId, cell.destination])).toEqual([['shop-a', 'FR-75']])
      expect(ofB.map(({ cell }) => [cell.merchantId, cell.destination])).toEqual([['shop-b', 'FR-69']])
      const all = await analytics.cells(ALL_MERCHANTS, WEEK, WEEK)
      expect(all.map(({ cell }) => cell.merchantId).sort()).toEqual(['shop-a', 'shop-b'])
    })

    it('gives the weeks asked for, bounds included, of one carrier when asked, across a year end', async () => {
      const { trackings, analytics } = fresh()
      // Handed over on 29 December 2025 (week 2026-W01) and one week apart after it.
      const weeks = ['2025-12-22T10:00:00+01:00', '2025-12-29T10:00:00+01:00', '2026-01-05T10:00:00+01:00']
      for (const [index, handover] of weeks.entries()) {
        for (const carrier of ['laposte', 'chronopost']) {
          const number = `W${index}${carrier}`
          const { record } = await trackings.register(
            parcel({ trackingNumber: number, carrier }),
            new Date(Date.parse(handover) - HOUR_MS),
          )
          await saveState(trackings, record.id, { status: 'delivered', stopped: 'terminal' }, [
            scan(number, 'PC1', handover, 'in_transit'),
            scan(number, 'DI1', new Date(Date.parse(handover) + 24 * HOUR_MS).toISOString(), 'delivered'),
          ])
        }
      }
      const weeksOf = async (from: string, to: string, carrier?: string) =>
        (await analytics.cells('shop-a', from, to, carrier))
          .map(({ cell }) => `${cell.week} ${cell.carrier}`)
          .sort()
      expect(await weeksOf('2026-W01', '2026-W02', 'laposte')).toEqual([
        '2026-W01 laposte',
        '2026-W02 laposte',
      ])
      expect(await weeksOf('2025-W52', '2025-W52')).toEqual(['2025-W52 chronopost', '2025-W52 laposte'])
      expect(await weeksOf('2026-W03', '2026-W10')).toEqual([])
    })

    it('merges into the same totals whatever the batch: the sum of its parcels', async () => {
      const { trackings, analytics } = fresh()
      const expected = []
      for (const hours of [20, 30, 50, 200]) {
        const record = await registered(trackings, { trackingNumber: `M${hours}` })
        const finished = await deliver(trackings, record.id, record.trackingNumber, hours)
        const outcome = parcelOutcome(finished.record, finished.events, DEFAULT_OUTCOME_FACTS('laposte'))
        if (outcome) expected.push(addOutcome(emptySummary(), outcome))
      }
      const [cell] = await analytics.cells('shop-a', WEEK, WEEK)
      expect(cell?.summary).toEqual(expected.reduce(mergeSummaries, emptySummary()))
    })

    it('refuses a week that is not an ISO week', async () => {
      const { analytics } = fresh()
      await expect(analytics.cells('shop-a', '2026-13', WEEK)).rejects.toThrow(RangeError)
      await expect(analytics.cells('shop-a', WEEK, '2026-W54')).rejects.toThrow(RangeError)
    })

    it('keeps nothing of a parcel whose cell-week is already past its retention', async () => {
      const { trackings, analytics } = createStores({ retentionMs: 24 * HOUR_MS })
      const record = await registered(trackings)
      await deliver(trackings, record.id, record.trackingNumber)
      expect(await analytics.cells('shop-a', WEEK, WEEK)).toEqual([])
    })
  })

  describe(`${name}: summaries by group`, () => {
    /** Parcels of two merchants, two carriers and two destinations, handed over in weeks 12 to 14. */
    async function deliverSpread(trackings: TrackingStore) {
      const handovers = [
        '2026-03-16T10:00:00+01:00',
        '2026-03-23T10:00:00+01:00',
        '2026-03-30T10:00:00+02:00',
      ]
      let serial = 0
      for (const [index, handover] of handovers.entries()) {
        for (const carrier of ['laposte', 'chronopost']) {
          for (const postalCode of ['75011', '69001', '69002'].slice(0, index + 2)) {
            const number = `S${serial++}`
            const merchantId = serial % 4 === 0 ? 'shop-b' : 'shop-a'
            const { record } = await trackings.register(
              parcel({ merchantId, trackingNumber: number, carrier, destinationPostalCode: postalCode }),
              new Date(Date.parse(handover) - HOUR_MS),
            )
            const deliveredAt = new Date(Date.parse(handover) + (24 + serial) * HOUR_MS).toISOString()
            await saveState(trackings, record.id, { status: 'delivered', stopped: 'terminal', deliveredAt }, [
              scan(number, 'PC1', handover, 'in_transit'),
              scan(number, 'DI1', deliveredAt, 'delivered'),
            ])
          }
        }
      }
    }

    it('merges the cell-weeks of each group as a report groups them, of one carrier when asked', async () => {
      const { trackings, analytics } = fresh()
      await deliverSpread(trackings)
      for (const merchantId of ['shop-a', ALL_MERCHANTS]) {
        for (const groupBy of GROUP_BY) {
          for (const carrier of [undefined, 'chronopost']) {
            for (const [fromWeek, toWeek] of [
              ['2026-W12', '2026-W14'],
              ['2026-W13', '2026-W13'],
              ['2025-W40', '2026-W30'],
            ] as const) {
              const query = { fromWeek, toWeek, groupBy, carrier }
              const cells = await analytics.cells(merchantId, fromWeek, toWeek, carrier)
              expect(await analytics.summariesByGroup(merchantId, query)).toEqual(
                groupSummaries(cells, query),
              )
            }
          }
        }
      }
      const byCarrier = await analytics.summariesByGroup('shop-a', {
        fromWeek: '2026-W12',
        toWeek: '2026-W14',
        groupBy: 'carrier',
      })
      expect([...byCarrier.keys()].sort()).toEqual(['chronopost', 'laposte'])
    })

    it('answers what was counted since it last answered', async () => {
      const { trackings, analytics } = fresh()
      const query = { fromWeek: WEEK, toWeek: WEEK, groupBy: 'destination' as const }
      expect(await analytics.summariesByGroup('shop-a', query)).toEqual(new Map())
      const first = await registered(trackings, { trackingNumber: 'F1' })
      await deliver(trackings, first.id, first.trackingNumber)
      expect((await analytics.summariesByGroup('shop-a', query)).get('FR-75')?.parcels).toBe(1)

      const again = await registered(trackings, { trackingNumber: 'F2' })
      const elsewhere = await registered(trackings, { trackingNumber: 'F3', destinationPostalCode: '13001' })
      await deliver(trackings, again.id, again.trackingNumber, 30)
      await deliver(trackings, elsewhere.id, elsewhere.trackingNumber)
      const groups = await analytics.summariesByGroup('shop-a', query)
      expect([...groups.keys()].sort()).toEqual(['FR-13', 'FR-75'])
      expect(groups.get('FR-75')?.transitHours).toMatchObject({ minMilli: 30_000, maxMilli: 48_000 })
      expect(groups).toEqual(groupSummaries(await analytics.cells('shop-a', WEEK, WEEK), query))
    })

    it('gives no group for weeks in the wrong order, and refuses a week that is not an ISO week', async () => {
      const { trackings, analytics } = fresh()
      const record = await registered(trackings)
      await deliver(trackings, record.id, record.trackingNumber)
      const query = { fromWeek: '2026-W14', toWeek: '2026-W12', groupBy: 'week' as const }
      expect(await analytics.summariesByGroup('shop-a', query)).toEqual(new Map())
      await expect(analytics.summariesByGroup('shop-a', { ...query, fromWeek: '2026-W54' })).rejects.toThrow(
        RangeError,
      )
    })
  })
}
