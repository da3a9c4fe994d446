import { describe, expect, it } from 'vitest'
import { ALERT_TYPES } from '../../src/domain/alert.js'
import type { TrackingRecord } from '../../src/domain/tracking.js'
import {
  InvalidCursorError,
  ORDER_PARCELS_LIMIT,
  type TrackingStore,
} from '../../src/store/tracking-store.js'
import {
  alert,
  claimAlertChecksEverywhere,
  claimDueEverywhere,
  dueAt,
  expectOrderWithinShards,
  LEASE_MS,
  listAllAlerts,
  listIds,
  loadOne,
  numberInShardOf,
  parcel,
  registerMany,
  saveAlerts,
  saveOne,
  scan,
  T0,
} from './store-helpers.js'

/**
 * What every `TrackingStore` does, whatever keeps its data: run against the memory store and the Redis
 * store alike. `createStore` gives an empty store each time.
 */
export function runTrackingStoreContract(name: string, createStore: () => TrackingStore) {
  describe(`${name}: register`, () => {
    it('creates a tracking once per merchant, carrier and number, due at once, and answers the existing one after', async () => {
      const store = createStore()
      const first = await store.register(parcel({ orderId: 'A-1' }), new Date(T0))
      expect(first.created).toBe(true)
      expect(first.events).toEqual([])
      expect(first.record).toMatchObject({
        merchantId: 'shop-a',
        carrier: 'laposte',
        trackingNumber: '8K00009775862',
        orderId: 'A-1',
        status: 'pending',
        createdAt: new Date(T0).toISOString(),
        nextCheckAt: new Date(T0).toISOString(),
        notFoundCount: 0,
        failureCount: 0,
        sequence: 0,
        alerts: [],
      })
      expect(first.record.id).toMatch(/^trk_[A-Za-z0-9]{20}$/)

      const again = await store.register(parcel({ orderId: 'other' }), new Date(T0 + 60_000))
      expect(again.created).toBe(false)
      expect(again.record).toEqual(first.record)
      expect(await listIds(store, 'shop-a')).toEqual([first.record.id])
      expect(await dueAt(store, first.record.id)).toBe(T0)
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)).toEqual([first.record.id])
    })

    it('gives different merchants different trackings for the same number', async () => {
      const store = createStore()
      const a = await store.register(parcel({ merchantId: 'shop-a' }), new Date(T0))
      const b = await store.register(parcel({ merchantId: 'shop-b' }), new Date(T0))
      expect(a.created).toBe(true)
      expect(b.created).toBe(true)
      expect(b.record.id).not.toBe(a.record.id)
      expect(b.record.merchantId).toBe('shop-b')
      expect(await listIds(store, 'shop-a')).toEqual([a.record.id])
      expect(await listIds(store, 'shop-b')).toEqual([b.record.id])
    })

    it('treats the same number at another carrier as another tracking', async () => {
      const store = createStore()
      const laposte = await store.register(parcel({ carrier: 'laposte' }), new Date(T0))
      const sandbox = await store.register(parcel({ carrier: 'sandbox' }), new Date(T0))
      expect(sandbox.created).toBe(true)
      expect(sandbox.record.id).not.toBe(laposte.record.id)
    })

    it('registers a batch in order: a number given twice is created by its first item and found by the next', async () => {
      const store = createStore()
      const known = await store.register(parcel({ trackingNumber: 'KNOWN' }), new Date(T0))
      const results = await store.registerMany(
        [
          { input: parcel({ trackingNumber: 'NEW1' }) },
          { input: parcel({ trackingNumber: 'KNOWN' }) },
          { input: parcel({ trackingNumber: 'NEW1' }) },
        ],
        new Date(T0 + 1000),
      )
      expect(results.map((result) => result.created)).toEqual([true, false, false])
      expect(results[1]?.record).toEqual(known.record)
      expect(results[2]?.record.id).toBe(results[0]?.record.id)
      expect(await listIds(store, 'shop-a')).toHaveLength(2)
    })

    it('keeps one tracking and one pending poll when the same parcel is registered many times at once', async () => {
      const store = createStore()
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.register(parcel(), new Date(T0))),
      )
      expect(results.filter((result) => result.created)).toHaveLength(1)
      expect(new Set(results.map((result) => result.record.id)).size).toBe(1)
      expect(await listIds(store, 'shop-a')).toHaveLength(1)
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)).toHaveLength(1)
    })

    it('schedules the first alert check it is given', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0), { nextAlertCheckAtMs: T0 + 5000 })
      await store.register(parcel({ trackingNumber: 'NO-CHECK' }), new Date(T0))
      expect(await claimAlertChecksEverywhere(store, T0 + 4999, 10, LEASE_MS)).toEqual([])
      expect(await claimAlertChecksEverywhere(store, T0 + 5000, 10, LEASE_MS)).toEqual([record.id])
    })
  })

  describe(`${name}: get, read and list`, () => {
    it('gets and reads a tracking with its events and next poll time', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await store.get('shop-a', record.id)).toEqual({ record, events: [], nextDueAtMs: T0 })
      expect(await store.read('shop-a', record.id)).toEqual({ record, eventsJson: '[]', nextDueAtMs: T0 })
      expect(await store.get('shop-a', 'trk_doesnotexist00000000')).toBeUndefined()
      expect(await store.read('shop-a', 'trk_doesnotexist00000000')).toBeUndefined()

      const events = [scan(record.trackingNumber, 'PC1', '2026-03-27T14:43:00+01:00', 'info_received')]
      const view = await loadOne(store, record.id)
      const next = { ...view.record, status: 'info_received' as const }
      await saveOne(store, { before: view, record: next, events, nextPoll: { atMs: T0 + 7200 } })
      expect(await store.get('shop-a', record.id)).toEqual({ record: next, events, nextDueAtMs: T0 + 7200 })
      expect(await store.read('shop-a', record.id)).toEqual({
        record: next,
        eventsJson: JSON.stringify(events),
        nextDueAtMs: T0 + 7200,
      })
    })

    it('lists newest first and honours the limit', async () => {
      const store = createStore()
      const records = await registerMany(store, 3, { now: (index) => new Date(T0 + index * 1000) })
      const newestFirst = records.map((record) => record.id).reverse()
      expect(await listIds(store, 'shop-a')).toEqual(newestFirst)

      const page = await store.list('shop-a', { limit: 2 })
      expect(page.data.map((record) => record.id)).toEqual(newestFirst.slice(0, 2))
      expect(page.nextCursor).toEqual(expect.any(String))

      const exact = await store.list('shop-a', { limit: 3 })
      expect(exact.data).toHaveLength(3)
      expect(exact.nextCursor).toBeUndefined()
    })

    it('orders by creation time, not by id, across a wide span of dates', async () => {
      const store = createStore()
      const dates = [
        '2030-01-01T00:00:00Z',
        '2026-01-01T00:00:00Z',
        '2001-09-09T01:46:40Z',
        '1999-12-31T23:59:59Z',
      ]
      const records = await registerMany(store, dates.length, {
        now: (index) => new Date(dates[index] ?? ''),
      })
      expect(await listIds(store, 'shop-a')).toEqual(records.map((record) => record.id))
    })

    it('walks 25 trackings created in the same millisecond exactly once, page by page', async () => {
      const store = createStore()
      const records = await registerMany(store, 25)
      const seen: string[] = []
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await store.list('shop-a', { limit: 7, ...(cursor ? { cursor } : {}) })
        seen.push(...page.data.map((record) => record.id))
        cursor = page.nextCursor
        pages++
        expect(pages).toBeLessThanOrEqual(4)
      } while (cursor)
      expect(pages).toBe(4)
      expect(seen).toHaveLength(25)
      expect(new Set(seen).size).toBe(25)
      expect([...seen].sort()).toEqual(records.map((record) => record.id).sort())
      // The same cursor gives the same page again: it is a position, not a consumed token.
      const first = await store.list('shop-a', { limit: 7 })
      const second = await store.list('shop-a', { limit: 7, cursor: first.nextCursor })
      const replay = await store.list('shop-a', { limit: 7, cursor: first.nextCursor })
      expect(replay).toEqual(second)
    })

    it('keeps its place when trackings are added or deleted between pages', async () => {
      const store = createStore()
      const records = await registerMany(store, 6, { now: (index) => new Date(T0 + index) })
      const first = await store.list('shop-a', { limit: 3 })
      expect(first.data.map((record) => record.id)).toEqual(
        records
          .slice(3)
          .map((record) => record.id)
          .reverse(),
      )
      await store.register(parcel({ trackingNumber: 'NEWER' }), new Date(T0 + 10_000))
      await store.delete('shop-a', records[1]?.id ?? '')
      const second = await store.list('shop-a', { limit: 3, cursor: first.nextCursor })
      expect(second.data.map((record) => record.id)).toEqual([records[2]?.id, records[0]?.id])
      expect(second.nextCursor).toBeUndefined()
    })

    it('filters by status, by carrier, and by both', async () => {
      const store = createStore()
      const laposte = await registerMany(store, 3, { carrier: 'laposte' })
      const sandbox = await registerMany(store, 2, {
        carrier: 'sandbox',
        now: (index) => new Date(T0 + 1000 + index),
      })
      const moved = [laposte[0], sandbox[1]].flatMap((record) => (record ? [record.id] : []))
      for (const id of moved) {
        const view = await loadOne(store, id)
        await saveOne(store, {
          before: view,
          record: { ...view.record, status: 'in_transit' },
          nextPoll: { atMs: T0 + 3_600_000 },
        })
      }
      const ids = (records: TrackingRecord[]) => records.map((record) => record.id)
      const sorted = (values: string[]) => [...values].sort()

      expect(sorted(await listIds(store, 'shop-a', { status: 'in_transit' }))).toEqual(sorted(moved))
      expect(sorted(await listIds(store, 'shop-a', { status: 'pending' }))).toEqual(
        sorted([...ids(laposte), ...ids(sandbox)].filter((id) => !moved.includes(id))),
      )
      expect(sorted(await listIds(store, 'shop-a', { carrier: 'sandbox' }))).toEqual(sorted(ids(sandbox)))
      expect(sorted(await listIds(store, 'shop-a', { carrier: 'laposte' }))).toEqual(sorted(ids(laposte)))
      expect(await listIds(store, 'shop-a', { carrier: 'sandbox', status: 'in_transit' })).toEqual([
        sandbox[1]?.id,
      ])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'in_transit' })).toEqual([
        laposte[0]?.id,
      ])
      expect(await listIds(store, 'shop-a', { carrier: 'sandbox', status: 'delivered' })).toEqual([])
      expect(await listIds(store, 'shop-a', { carrier: 'nope' })).toEqual([])
    })

    it('moves a tracking between status lists as its status changes', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await listIds(store, 'shop-a', { status: 'pending' })).toEqual([record.id])
      const first = await loadOne(store, record.id)
      await saveOne(store, {
        before: first,
        record: { ...first.record, status: 'in_transit' },
        nextPoll: { atMs: T0 + 1 },
      })
      expect(await listIds(store, 'shop-a', { status: 'pending' })).toEqual([])
      expect(await listIds(store, 'shop-a', { status: 'in_transit' })).toEqual([record.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'in_transit' })).toEqual([
        record.id,
      ])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'pending' })).toEqual([])

      const second = await loadOne(store, record.id)
      await saveOne(store, {
        before: second,
        record: { ...second.record, status: 'delivered', stopped: 'terminal' },
        nextPoll: 'none',
      })
      expect(await listIds(store, 'shop-a', { status: 'in_transit' })).toEqual([])
      expect(await listIds(store, 'shop-a', { status: 'delivered' })).toEqual([record.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'delivered' })).toEqual([record.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'in_transit' })).toEqual([])
      expect(await listIds(store, 'shop-a')).toEqual([record.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte' })).toEqual([record.id])
    })

    it('filters by open alert type, on top of status and carrier', async () => {
      const store = createStore()
      const [late, quiet] = await registerMany(store, 2)
      if (!late || !quiet) throw new Error('setup')
      const open = alert('alr_late', 'late', 1)
      await saveAlerts(store, late.id, [open])
      expect(await listIds(store, 'shop-a', { alert: 'late' })).toEqual([late.id])
      expect(await listIds(store, 'shop-a', { alert: 'stalled' })).toEqual([])
      expect(await listIds(store, 'shop-a', { alert: 'late', status: 'pending' })).toEqual([late.id])
      expect(await listIds(store, 'shop-a', { alert: 'late', status: 'in_transit' })).toEqual([])
      expect(await listIds(store, 'shop-a', { alert: 'late', carrier: 'sandbox' })).toEqual([])
      await saveAlerts(store, late.id, [{ ...open, resolvedAt: new Date(T0 + 60_000).toISOString() }])
      expect(await listIds(store, 'shop-a', { alert: 'late' })).toEqual([])
    })

    it('paginates a filtered list', async () => {
      const store = createStore()
      const sandbox = await registerMany(store, 5, { carrier: 'sandbox' })
      await registerMany(store, 5, { carrier: 'laposte' })
      const seen: string[] = []
      let cursor: string | undefined
      do {
        const page = await store.list('shop-a', {
          carrier: 'sandbox',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        })
        seen.push(...page.data.map((record) => record.id))
        cursor = page.nextCursor
      } while (cursor)
      expect([...seen].sort()).toEqual(sandbox.map((record) => record.id).sort())
    })

    it.each([
      ['junk', 'not a cursor!!'],
      ['base64 of junk', Buffer.from('hello world').toString('base64url')],
      ['a bare tracking id', Buffer.from('trk_AAAAAAAAAAAAAAAAAAAA').toString('base64url')],
      ['a member with a foreign id prefix', Buffer.from('001774605600000:evt_abc').toString('base64url')],
      ['a member with Redis range syntax', Buffer.from('[001774605600000:trk_abc').toString('base64url')],
      ['a member with a trailing newline', Buffer.from('001774605600000:trk_abc\n').toString('base64url')],
    ])('refuses %s as a cursor with InvalidCursorError', async (_name, cursor) => {
      const store = createStore()
      await registerMany(store, 2)
      await expect(store.list('shop-a', { limit: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError)
    })
  })

  describe(`${name}: merchant isolation`, () => {
    it("never lets one merchant read, delete or refresh another merchant's tracking", async () => {
      const store = createStore()
      const { record } = await store.register(parcel({ merchantId: 'shop-a' }), new Date(T0))
      expect(await store.get('shop-b', record.id)).toBeUndefined()
      expect(await store.read('shop-b', record.id)).toBeUndefined()
      expect(await store.delete('shop-b', record.id)).toBe(false)
      expect(await store.requestRefresh('shop-b', record.id, T0 + 5000)).toBeUndefined()
      expect(await store.list('shop-b', { limit: 100 })).toEqual({ data: [] })
      expect(await store.get('shop-a', record.id)).toEqual({ record, events: [], nextDueAtMs: T0 })
      expect(await listIds(store, 'shop-a')).toEqual([record.id])
    })

    it("does not leak another merchant's trackings through a cursor", async () => {
      const store = createStore()
      await registerMany(store, 3, { merchantId: 'shop-a' })
      await registerMany(store, 3, { merchantId: 'shop-b' })
      const page = await store.list('shop-a', { limit: 1 })
      const other = await store.list('shop-b', { limit: 10, cursor: page.nextCursor })
      for (const record of other.data) expect(record.merchantId).toBe('shop-b')
    })
  })

  describe(`${name}: page tokens`, () => {
    const TOKEN_SHAPE = /^[A-Za-z0-9_-]{22}$/

    it('gives every tracking a token of its own, and the same number registered again keeps it', async () => {
      const store = createStore()
      const results = await store.registerMany(
        Array.from({ length: 1000 }, (_, index) => ({
          input: parcel({ trackingNumber: `NUM${String(index).padStart(6, '0')}` }),
        })),
        new Date(T0),
      )
      const tokens = results.map(({ record }) => record.pageToken)
      for (const token of tokens) expect(token).toMatch(TOKEN_SHAPE)
      expect(new Set(tokens).size).toBe(1000)
      const [first] = results
      if (!first) throw new Error('setup')
      const again = await store.register(
        parcel({ trackingNumber: first.record.trackingNumber }),
        new Date(T0),
      )
      expect(again.record.pageToken).toBe(first.record.pageToken)
    })

    it('opens the tracking and its timeline by its token alone, whatever its merchant', async () => {
      const store = createStore()
      const a = await store.register(parcel({ merchantId: 'shop-a' }), new Date(T0))
      const b = await store.register(parcel({ merchantId: 'shop-b' }), new Date(T0))
      const view = await loadOne(store, b.record.id)
      const events = [scan(b.record.trackingNumber, 'PC1', '2026-03-27T11:00:00+01:00', 'in_transit')]
      await saveOne(store, { before: view, record: { ...view.record, status: 'in_transit' }, events })

      expect(await store.findByPageToken(a.record.pageToken)).toEqual({ record: a.record, events: [] })
      const found = await store.findByPageToken(b.record.pageToken)
      expect(found?.record).toMatchObject({ id: b.record.id, merchantId: 'shop-b', status: 'in_transit' })
      expect(found?.events).toEqual(events)
    })

    it('opens nothing with a token that is not a current one', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const token = record.pageToken
      const last = token.at(-1) === 'A' ? 'B' : 'A'
      for (const wrong of [
        `${token.slice(0, -1)}${last}`,
        token.slice(0, -1),
        `${token}A`,
        token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase(),
        '',
      ]) {
        expect(await store.findByPageToken(wrong), wrong).toBeUndefined()
      }
    })

    it('rotates a token: the new one opens the tracking, the old one nothing', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const token = await store.rotatePageToken('shop-a', record.id)
      expect(token).toMatch(TOKEN_SHAPE)
      expect(token).not.toBe(record.pageToken)
      expect(await store.findByPageToken(record.pageToken)).toBeUndefined()
      const found = await store.findByPageToken(token ?? '')
      expect(found?.record).toEqual({ ...record, pageToken: token })
      expect((await store.get('shop-a', record.id))?.record.pageToken).toBe(token)
    })

    it('shows what is stored now to a token opened before: a longer timeline, a rotation, a deletion', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await store.findByPageToken(record.pageToken)).toEqual({ record, events: [] })
      const view = await loadOne(store, record.id)
      const events = [scan(record.trackingNumber, 'PC1', '2026-03-27T11:00:00+01:00', 'in_transit')]
      await saveOne(store, { before: view, record: { ...view.record, status: 'in_transit' }, events })
      expect((await store.findByPageToken(record.pageToken))?.events).toEqual(events)
      const token = await store.rotatePageToken('shop-a', record.id)
      expect(await store.findByPageToken(record.pageToken)).toBeUndefined()
      expect((await store.findByPageToken(token ?? ''))?.events).toEqual(events)
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(await store.findByPageToken(token ?? '')).toBeUndefined()
    })

    it('rotates only a tracking of the merchant asking', async () => {
      const store = createStore()
      const { record } = await store.register(parcel({ merchantId: 'shop-a' }), new Date(T0))
      expect(await store.rotatePageToken('shop-b', record.id)).toBeUndefined()
      expect(await store.rotatePageToken('shop-a', 'trk_AAAAAAAAAAAAAAAAAAAA')).toBeUndefined()
      expect((await store.findByPageToken(record.pageToken))?.record.id).toBe(record.id)
    })

    it('keeps a poll that loaded the tracking before a rotation from writing the old token back', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const view = await loadOne(store, record.id)
      const token = await store.rotatePageToken('shop-a', record.id)
      expect(await store.save([{ before: view, record: { ...view.record, status: 'in_transit' } }])).toEqual([
        'conflict',
      ])
      const fresh = await loadOne(store, record.id)
      await saveOne(store, { before: fresh, record: { ...fresh.record, status: 'in_transit' } })
      expect((await store.findByPageToken(token ?? ''))?.record.status).toBe('in_transit')
      expect(await store.findByPageToken(record.pageToken)).toBeUndefined()
    })

    it('opens nothing once the tracking is deleted, nor after the number is registered again', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(await store.findByPageToken(record.pageToken)).toBeUndefined()
      expect(await store.rotatePageToken('shop-a', record.id)).toBeUndefined()
      const again = await store.register(parcel(), new Date(T0 + 1))
      expect(again.record.pageToken).not.toBe(record.pageToken)
      expect(await store.findByPageToken(record.pageToken)).toBeUndefined()
    })
  })

  describe(`${name}: order index`, () => {
    const idsOf = (records: readonly TrackingRecord[]) => records.map((record) => record.id)

    it("finds the parcels of a merchant's order, newest first, and none of another order or without one", async () => {
      const store = createStore()
      const first = await store.register(parcel({ trackingNumber: 'N1', orderId: 'A-1' }), new Date(T0))
      const second = await store.register(parcel({ trackingNumber: 'N2', orderId: 'A-1' }), new Date(T0 + 1))
      await store.register(parcel({ trackingNumber: 'N3', orderId: 'A-2' }), new Date(T0 + 2))
      await store.register(parcel({ trackingNumber: 'N4' }), new Date(T0 + 3))

      expect(await store.findByOrder('shop-a', 'A-1')).toEqual([second.record, first.record])
      expect(idsOf(await store.findByOrder('shop-a', 'A-3'))).toEqual([])
      expect(idsOf(await store.findByOrder('shop-a', 'a-1'))).toEqual([])
      expect(idsOf(await store.findByOrder('shop-a', ''))).toEqual([])
    })

    it('indexes the parcels of a batch, and keeps a number registered again under the order it came with', async () => {
      const store = createStore()
      const results = await store.registerMany(
        [
          { input: parcel({ trackingNumber: 'B1', orderId: 'B-1' }) },
          { input: parcel({ trackingNumber: 'B2', orderId: 'B-1' }) },
          { input: parcel({ trackingNumber: 'B3' }) },
          { input: parcel({ trackingNumber: 'B1', orderId: 'B-2' }) },
        ],
        new Date(T0),
      )
      const [b1, b2] = results.map(({ record }) => record)
      if (!b1 || !b2) throw new Error('setup')
      expect(idsOf(await store.findByOrder('shop-a', 'B-1')).sort()).toEqual([b1.id, b2.id].sort())
      expect(await store.findByOrder('shop-a', 'B-2')).toEqual([])
    })

    it('keeps two merchants with the same order id apart', async () => {
      const store = createStore()
      const a = await store.register(parcel({ merchantId: 'shop-a', orderId: '1001' }), new Date(T0))
      const b = await store.register(parcel({ merchantId: 'shop-b', orderId: '1001' }), new Date(T0))
      expect(await store.findByOrder('shop-a', '1001')).toEqual([a.record])
      expect(await store.findByOrder('shop-b', '1001')).toEqual([b.record])
      expect(await store.findByOrder('shop-c', '1001')).toEqual([])
      expect(await store.delete('shop-b', b.record.id)).toBe(true)
      expect(await store.findByOrder('shop-a', '1001')).toEqual([a.record])
      expect(await store.findByOrder('shop-b', '1001')).toEqual([])
    })

    it('forgets a deleted parcel, and finds the number registered again as its new tracking', async () => {
      const store = createStore()
      const kept = await store.register(parcel({ trackingNumber: 'K1', orderId: 'C-1' }), new Date(T0))
      const gone = await store.register(parcel({ trackingNumber: 'G1', orderId: 'C-1' }), new Date(T0 + 1))
      expect(await store.delete('shop-a', gone.record.id)).toBe(true)
      expect(idsOf(await store.findByOrder('shop-a', 'C-1'))).toEqual([kept.record.id])

      const again = await store.register(parcel({ trackingNumber: 'G1', orderId: 'C-1' }), new Date(T0 + 2))
      expect(idsOf(await store.findByOrder('shop-a', 'C-1'))).toEqual([again.record.id, kept.record.id])
    })

    it('answers the parcels as they are now', async () => {
      const store = createStore()
      const { record } = await store.register(parcel({ orderId: 'D-1' }), new Date(T0))
      const view = await loadOne(store, record.id)
      await saveOne(store, { before: view, record: { ...view.record, status: 'in_transit' } })
      expect((await store.findByOrder('shop-a', 'D-1')).map(({ status }) => status)).toEqual(['in_transit'])
    })

    it(`answers at most ${ORDER_PARCELS_LIMIT} parcels of an order: the most recently registered`, async () => {
      const store = createStore()
      const count = ORDER_PARCELS_LIMIT + 5
      const results = await store.registerMany(
        Array.from({ length: count }, (_, index) => ({
          input: parcel({ trackingNumber: `E${String(index).padStart(3, '0')}`, orderId: 'E-1' }),
        })),
        new Date(T0),
      )
      const newest = [...results]
        .map(({ record }) => record)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, ORDER_PARCELS_LIMIT)
      expect(idsOf(await store.findByOrder('shop-a', 'E-1'))).toEqual(idsOf(newest))
    })
  })

  describe(`${name}: delete`, () => {
    it('removes the tracking, its list entries and its pending poll', async () => {
      const store = createStore()
      const [kept, gone] = await registerMany(store, 2)
      if (!kept || !gone) throw new Error('setup')
      expect(await store.delete('shop-a', gone.id)).toBe(true)
      expect(await store.get('shop-a', gone.id)).toBeUndefined()
      expect(await listIds(store, 'shop-a')).toEqual([kept.id])
      expect(await listIds(store, 'shop-a', { status: 'pending' })).toEqual([kept.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte' })).toEqual([kept.id])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'pending' })).toEqual([kept.id])
      expect(await store.loadForPoll([gone.id])).toEqual([undefined])
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)).toEqual([kept.id])
      expect(await store.delete('shop-a', gone.id)).toBe(false)
      expect(await store.requestRefresh('shop-a', gone.id, T0)).toBeUndefined()

      const again = await store.register(parcel({ trackingNumber: gone.trackingNumber }), new Date(T0 + 1))
      expect(again.created).toBe(true)
      expect(again.record.id).not.toBe(gone.id)
    })

    it('removes a tracking that is being polled, so its lease is never handed out again', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)).toEqual([record.id])
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(await claimDueEverywhere(store, 'laposte', T0 + LEASE_MS + 1, 10, LEASE_MS)).toEqual([])
    })

    it('removes the tracking from its current status list after a status change', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const view = await loadOne(store, record.id)
      await saveOne(store, {
        before: view,
        record: { ...view.record, status: 'delivered' },
        nextPoll: 'none',
      })
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(await listIds(store, 'shop-a', { status: 'delivered' })).toEqual([])
      expect(await listIds(store, 'shop-a', { carrier: 'laposte', status: 'delivered' })).toEqual([])
    })

    it('removes its alert check and its alerts from the alert lists', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0), { nextAlertCheckAtMs: T0 })
      await saveAlerts(store, record.id, [alert('alr_a', 'late', 1)])
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(await store.listAlerts('shop-a', { state: 'open', limit: 10 })).toEqual({ data: [] })
      expect(await claimAlertChecksEverywhere(store, T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
    })
  })

  describe(`${name}: requestRefresh`, () => {
    it('answers queued and brings the poll forward when it was due later', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const view = await loadOne(store, record.id)
      await saveOne(store, { before: view, record: view.record, nextPoll: { atMs: T0 + 3_600_000 } })
      expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
      expect(await dueAt(store, record.id)).toBe(T0 + 1000)
    })

    it('answers due, and changes nothing, when the poll is already due', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await store.requestRefresh('shop-a', record.id, T0)).toBe('due')
      expect(await store.requestRefresh('shop-a', record.id, T0 + 5000)).toBe('due')
      expect(await dueAt(store, record.id)).toBe(T0)
    })

    it('answers due on a second refresh instead of adding another poll', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const view = await loadOne(store, record.id)
      await saveOne(store, { before: view, record: view.record, nextPoll: { atMs: T0 + 3_600_000 } })
      expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
      expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('due')
      expect(await store.requestRefresh('shop-a', record.id, T0 + 2000)).toBe('due')
      expect(await dueAt(store, record.id)).toBe(T0 + 1000)
      expect(await claimDueEverywhere(store, 'laposte', T0 + 5000, 10, LEASE_MS)).toEqual([record.id])
    })

    it('answers running while a poll job holds the tracking, without queueing a second poll yet', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      expect(await store.requestRefresh('shop-a', record.id, T0 + 10)).toBe('running')
      expect(await dueAt(store, record.id)).toBeUndefined()
      expect(await claimDueEverywhere(store, 'laposte', T0 + 10, 10, LEASE_MS)).toEqual([])
    })

    it('makes the poll after the running one due at once, even when it would have been later or stopped', async () => {
      const store = createStore()
      const later = await store.register(parcel(), new Date(T0))
      const stopped = await store.register(parcel({ trackingNumber: 'STOPPED' }), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      expect(await store.requestRefresh('shop-a', later.record.id, T0 + 10)).toBe('running')
      expect(await store.requestRefresh('shop-a', stopped.record.id, T0 + 10)).toBe('running')

      const before = Date.now()
      const laterView = await loadOne(store, later.record.id)
      const stoppedView = await loadOne(store, stopped.record.id)
      expect(
        await store.save([
          { before: laterView, record: laterView.record, nextPoll: { atMs: before + 3_600_000 } },
          { before: stoppedView, record: { ...stoppedView.record, stopped: 'terminal' }, nextPoll: 'none' },
        ]),
      ).toEqual(['saved', 'saved'])
      for (const id of [later.record.id, stopped.record.id]) {
        const due = await dueAt(store, id)
        expect(due).toBeGreaterThanOrEqual(before - 1000)
        expect(due).toBeLessThanOrEqual(Date.now() + 1000)
      }

      // The follow-up poll is the only one: the poll after it goes back to the normal schedule.
      await claimDueEverywhere(store, 'laposte', Date.now() + 1000, 10, LEASE_MS)
      const again = await loadOne(store, later.record.id)
      await saveOne(store, { before: again, record: again.record, nextPoll: { atMs: T0 + 7_200_000 } })
      expect(await dueAt(store, later.record.id)).toBe(T0 + 7_200_000)
    })

    it('queues a poll again for a tracking whose polling had stopped', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      const view = await loadOne(store, record.id)
      await saveOne(store, {
        before: view,
        record: { ...view.record, stopped: 'invalid_number' },
        nextPoll: 'none',
      })
      expect(await dueAt(store, record.id)).toBeUndefined()
      expect(await claimDueEverywhere(store, 'laposte', T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
      expect(await store.requestRefresh('shop-a', record.id, T0 + 1000)).toBe('queued')
      expect(await dueAt(store, record.id)).toBe(T0 + 1000)
    })
  })

  describe(`${name}: claimDue`, () => {
    it('claims only due trackings of its carrier, oldest first, under a lease', async () => {
      const store = createStore()
      const due = await registerMany(store, 3, { now: (index) => new Date(T0 + index) })
      const later = await store.register(parcel({ trackingNumber: 'LATER' }), new Date(T0 + 60_000))
      const otherCarrier = await store.register(parcel({ carrier: 'sandbox' }), new Date(T0))

      const claimed = await claimDueEverywhere(store, 'laposte', T0 + 1000, 10, LEASE_MS)
      expectOrderWithinShards(
        store,
        claimed,
        due.map((record) => record.id),
      )
      for (const id of claimed) expect(await dueAt(store, id)).toBeUndefined()
      expect(await dueAt(store, later.record.id)).toBe(T0 + 60_000)
      expect(await dueAt(store, otherCarrier.record.id)).toBe(T0)
      expect(await claimDueEverywhere(store, 'laposte', T0 + 1000, 10, LEASE_MS)).toEqual([])
    })

    it('respects the limit and hands each due tracking out once', async () => {
      const store = createStore()
      const records = await registerMany(store, 5, { now: (index) => new Date(T0 + index) })
      const first = await claimDueEverywhere(store, 'laposte', T0 + 10, 2, LEASE_MS)
      const second = await claimDueEverywhere(store, 'laposte', T0 + 10, 2, LEASE_MS)
      const third = await claimDueEverywhere(store, 'laposte', T0 + 10, 2, LEASE_MS)
      expect(first).toHaveLength(2)
      expect(second).toHaveLength(2)
      expect(third).toHaveLength(1)
      expectOrderWithinShards(
        store,
        [...first, ...second, ...third],
        records.map((record) => record.id),
      )
      expect(await claimDueEverywhere(store, 'laposte', T0 + 10, 2, LEASE_MS)).toEqual([])
    })

    it('never hands out the same tracking to two concurrent claims', async () => {
      const store = createStore()
      await registerMany(store, 20)
      const claims = await Promise.all(
        Array.from({ length: 8 }, () => claimDueEverywhere(store, 'laposte', T0, 3, LEASE_MS)),
      )
      const all = claims.flat()
      expect(all).toHaveLength(20)
      expect(new Set(all).size).toBe(20)
    })

    it('hands an expired lease out again, but not a live one', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, 1000)).toEqual([record.id])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 999, 10, 1000)).toEqual([])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 1500, 10, 1000)).toEqual([record.id])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 2000, 10, 1000)).toEqual([])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 2500, 10, 1000)).toEqual([record.id])
    })

    it('fills the limit with due trackings before expired leases, and never claims past it', async () => {
      const store = createStore()
      const [stale] = await registerMany(store, 1)
      await claimDueEverywhere(store, 'laposte', T0, 10, 100)
      // In the stale one's shard: the rule holds within a shard.
      const trackingNumber = stale ? numberInShardOf(store, stale, 'FRESH') : 'FRESH'
      const fresh = await store.register(parcel({ trackingNumber }), new Date(T0 + 500))
      expect(await claimDueEverywhere(store, 'laposte', T0 + 1000, 1, LEASE_MS)).toEqual([fresh.record.id])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 1000, 1, LEASE_MS)).toEqual([stale?.id])
    })
  })

  describe(`${name}: scanPolled`, () => {
    it('gives every tracking of its carrier still polled, waiting or being polled, page by page', async () => {
      const store = createStore()
      const records = await registerMany(store, 25)
      await registerMany(store, 2, { carrier: 'sandbox' })
      expect(await claimDueEverywhere(store, 'laposte', T0, 5, LEASE_MS)).toHaveLength(5)
      const [stopped, ...polled] = records
      const view = await loadOne(store, stopped?.id ?? '')
      await saveOne(store, {
        before: view,
        record: { ...view.record, stopped: 'terminal' },
        nextPoll: 'none',
      })

      const seen = new Set<string>()
      let cursor: string | undefined
      let pages = 0
      do {
        const page = await store.scanPolled('laposte', 4, cursor)
        for (const id of page.ids) seen.add(id)
        cursor = page.cursor
        pages++
      } while (cursor !== undefined && pages < 10_000)
      expect(pages).toBeGreaterThan(1)
      expect([...seen].sort()).toEqual(polled.map((record) => record.id).sort())
    })

    it('refuses a cursor it did not give', async () => {
      const store = createStore()
      await expect(store.scanPolled('laposte', 10, 'nonsense')).rejects.toBeInstanceOf(InvalidCursorError)
    })
  })

  describe(`${name}: save`, () => {
    it('saves the record, the timeline and the next poll, and bumps the version', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      const view = await loadOne(store, record.id)
      expect(view.version).toBe(1)
      const events = [scan(record.trackingNumber, 'PC1', '2026-03-27T14:43:00+01:00', 'info_received')]
      const next = {
        ...view.record,
        status: 'info_received' as const,
        lastCheckedAt: new Date(T0).toISOString(),
      }
      await saveOne(store, { before: view, record: next, events, nextPoll: { atMs: T0 + 7200.4 } })
      expect(await loadOne(store, record.id)).toEqual({ record: next, events, version: 2 })
      expect(await store.get('shop-a', record.id)).toEqual({ record: next, events, nextDueAtMs: T0 + 7200 })
      expect(await claimDueEverywhere(store, 'laposte', T0 + 7199, 10, LEASE_MS)).toEqual([])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 7200, 10, LEASE_MS)).toEqual([record.id])
    })

    it('keeps the booked delivery window and the scans that only resume, as saved', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const view = await loadOne(store, record.id)
      const arrived = scan(record.trackingNumber, 'AB', '2026-06-27T11:07:04+02:00', 'available_for_pickup')
      const dropOff = {
        ...scan(record.trackingNumber, 'RB', '2026-06-27T11:08:00+02:00', 'in_transit'),
        resumesOnly: true as const,
      }
      const next = {
        ...view.record,
        status: 'available_for_pickup' as const,
        estimatedDelivery: '2026-06-27',
        estimatedDeliveryWindow: { from: '2026-06-27T10:00:00+02:00', to: '2026-06-27T12:00:00Z' },
      }
      const events = [arrived, dropOff]
      await saveOne(store, { before: view, record: next, events, nextPoll: { atMs: T0 + 1 } })
      expect(await loadOne(store, record.id)).toEqual({ record: next, events, version: 2 })
      expect(await store.get('shop-a', record.id)).toMatchObject({ record: next, events })
    })

    it('keeps the stored timeline when the change has no events', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const events = [scan(record.trackingNumber, 'PC1', '2026-03-27T14:43:00+01:00', 'info_received')]
      const view = await loadOne(store, record.id)
      await saveOne(store, { before: view, record: view.record, events, nextPoll: { atMs: T0 + 1 } })
      const second = await loadOne(store, record.id)
      const failed = { ...second.record, failureCount: 1 }
      await saveOne(store, { before: second, record: failed, nextPoll: { atMs: T0 + 2 } })
      expect(await loadOne(store, record.id)).toEqual({ record: failed, events, version: 3 })
    })

    it('refuses a stale version as a conflict and writes nothing', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      const stale = await loadOne(store, record.id)
      const winner = { ...stale.record, status: 'in_transit' as const }
      const winnerEvents = [scan(record.trackingNumber, 'ET1', '2026-03-28T07:34:12+01:00', 'in_transit')]
      await saveOne(store, { before: stale, record: winner, events: winnerEvents, nextPoll: 'none' })
      await store.requestRefresh('shop-a', record.id, T0 + 50)

      const loser = { ...stale.record, status: 'delivered' as const, failureCount: 7 }
      const outcome = await store.save([
        {
          before: stale,
          record: loser,
          events: [],
          nextPoll: { atMs: T0 + 999_999 },
          alerts: { opened: [alert('alr_x', 'late', 1)], resolved: [] },
        },
      ])
      expect(outcome).toEqual(['conflict'])
      expect(await loadOne(store, record.id)).toEqual({ record: winner, events: winnerEvents, version: 2 })
      expect(await dueAt(store, record.id)).toBe(T0 + 50)
      expect(await listIds(store, 'shop-a', { status: 'delivered' })).toEqual([])
      expect(await listIds(store, 'shop-a', { status: 'in_transit' })).toEqual([record.id])
      expect(await store.listAlerts('shop-a', { state: 'open', limit: 10 })).toEqual({ data: [] })
    })

    it('answers gone for a deleted tracking, and leaves no poll nor alert check behind', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0), { nextAlertCheckAtMs: T0 })
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      const view = await loadOne(store, record.id)
      expect(await store.delete('shop-a', record.id)).toBe(true)
      expect(
        await store.save([
          {
            before: view,
            record: view.record,
            nextPoll: { atMs: T0 + 1000 },
            alerts: { opened: [], resolved: [], nextCheckAtMs: T0 + 1000 },
          },
        ]),
      ).toEqual(['gone'])
      expect(await claimDueEverywhere(store, 'laposte', T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
      expect(await claimAlertChecksEverywhere(store, T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
      expect(await store.get('shop-a', record.id)).toBeUndefined()
    })

    it('stops polling when the change says there is no next poll', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)
      const view = await loadOne(store, record.id)
      await saveOne(store, {
        before: view,
        record: { ...view.record, stopped: 'terminal' },
        nextPoll: 'none',
      })
      expect(await dueAt(store, record.id)).toBeUndefined()
      expect(await claimDueEverywhere(store, 'laposte', T0 + 10 * LEASE_MS, 10, LEASE_MS)).toEqual([])
    })

    it('leaves the poll schedule as it is for a change without a next poll (time alone)', async () => {
      const store = createStore()
      const polled = (await store.register(parcel({ trackingNumber: 'POLLED' }), new Date(T0))).record
      const waiting = (await store.register(parcel({ trackingNumber: 'WAITING' }), new Date(T0 + 1))).record
      // A poll holds the first one: its lease is left to run, the poll's own save ends it.
      expect(await claimDueEverywhere(store, 'laposte', T0, 10, LEASE_MS)).toEqual([polled.id])
      for (const id of [waiting.id, polled.id]) {
        const view = await loadOne(store, id)
        await saveOne(store, { before: view, record: view.record, alerts: { opened: [], resolved: [] } })
      }
      expect(await dueAt(store, waiting.id)).toBe(T0 + 1)
      expect(await claimDueEverywhere(store, 'laposte', T0 + LEASE_MS - 1, 10, LEASE_MS)).toEqual([
        waiting.id,
      ])
      expect(await claimDueEverywhere(store, 'laposte', T0 + LEASE_MS, 10, LEASE_MS)).toEqual([polled.id])
    })

    it('reschedules the alert check of a change with alerts, ends a sweep claim, and leaves both alone without', async () => {
      const store = createStore()
      const [kept, claimed] = await registerMany(store, 2)
      if (!kept || !claimed) throw new Error('setup')
      const checks = async (id: string, nextCheckAtMs?: number) => {
        const view = await loadOne(store, id)
        await saveOne(store, {
          before: view,
          record: view.record,
          nextPoll: { atMs: T0 + 1000 },
          alerts: { opened: [], resolved: [], nextCheckAtMs },
        })
      }
      await checks(kept.id, T0 + 5000)
      await checks(claimed.id, T0)
      expect(await claimAlertChecksEverywhere(store, T0, 10, LEASE_MS)).toEqual([claimed.id])
      for (const id of [kept.id, claimed.id]) {
        const view = await loadOne(store, id)
        await saveOne(store, { before: view, record: view.record, nextPoll: { atMs: T0 + 1000 } })
      }
      expect(await claimAlertChecksEverywhere(store, T0 + 4999, 10, LEASE_MS)).toEqual([])
      expect(await claimAlertChecksEverywhere(store, T0 + 5000, 10, LEASE_MS)).toEqual([kept.id])
      // The sweep's own save sets the next check and ends its claim.
      await checks(claimed.id, T0 + 9000)
      expect(await claimAlertChecksEverywhere(store, T0 + 8999, 10, LEASE_MS)).toEqual([])
      expect(await claimAlertChecksEverywhere(store, T0 + 9000, 10, LEASE_MS)).toEqual([claimed.id])
      // No next check: none is claimed again, even past every lease.
      await checks(claimed.id, undefined)
      expect(await claimAlertChecksEverywhere(store, T0 + 100 * LEASE_MS, 10, LEASE_MS)).toEqual([kept.id])
    })

    it('answers one outcome per change, in order, for a batch', async () => {
      const store = createStore()
      const [a, b, c] = await registerMany(store, 3)
      if (!a || !b || !c) throw new Error('setup')
      const [viewA, viewB, viewC] = await store.loadForPoll([a.id, b.id, c.id])
      if (!viewA || !viewB || !viewC) throw new Error('setup')
      await saveOne(store, { before: viewB, record: viewB.record, nextPoll: { atMs: T0 } })
      await store.delete('shop-a', c.id)
      const outcomes = await store.save([
        { before: viewA, record: viewA.record, nextPoll: { atMs: T0 } },
        { before: viewB, record: viewB.record, nextPoll: { atMs: T0 } },
        { before: viewC, record: viewC.record, nextPoll: { atMs: T0 } },
      ])
      expect(outcomes).toEqual(['saved', 'conflict', 'gone'])
      expect(await store.save([])).toEqual([])
    })

    it('loads undefined for unknown ids, keeping positions', async () => {
      const store = createStore()
      const { record } = await store.register(parcel(), new Date(T0))
      const views = await store.loadForPoll(['trk_missing', record.id])
      expect(views[0]).toBeUndefined()
      expect(views[1]?.record.id).toBe(record.id)
    })
  })

  describe(`${name}: alert lists`, () => {
    it('lists each alert from its tracking, newest first, page by page, and moves it when resolved', async () => {
      const store = createStore()
      const [first, second] = (await registerMany(store, 2)).map((record) => record.id)
      if (!first || !second) throw new Error('setup')
      const lateFirst = alert('alr_a', 'late', 1)
      const stalledFirst = alert('alr_b', 'stalled', 2)
      const lateSecond = alert('alr_c', 'late', 3)
      await saveAlerts(store, first, [lateFirst, stalledFirst])
      await saveAlerts(store, second, [lateSecond])

      const open = [
        { ...lateSecond, trackingId: second },
        { ...stalledFirst, trackingId: first },
        { ...lateFirst, trackingId: first },
      ]
      expect(await listAllAlerts(store, { state: 'open' })).toEqual(open)
      // One page holding two alerts of the same tracking.
      expect(await store.listAlerts('shop-a', { state: 'open', limit: 10 })).toEqual({ data: open })
      expect(await store.listAlerts('shop-b', { state: 'open', limit: 10 })).toEqual({ data: [] })
      expect((await listAllAlerts(store, { state: 'open', type: 'late' })).map((item) => item.id)).toEqual([
        'alr_c',
        'alr_a',
      ])

      const resolved = { ...lateFirst, resolvedAt: new Date(T0 + 3_600_000).toISOString() }
      await saveAlerts(store, first, [resolved, stalledFirst], [resolved])
      expect((await listAllAlerts(store, { state: 'open' })).map((item) => item.id)).toEqual([
        'alr_c',
        'alr_b',
      ])
      expect(await listAllAlerts(store, { state: 'resolved', type: 'late' })).toEqual([
        { ...resolved, trackingId: first },
      ])

      expect(await store.delete('shop-a', first)).toBe(true)
      expect((await listAllAlerts(store, { state: 'open' })).map((item) => item.id)).toEqual(['alr_c'])
      expect(await listAllAlerts(store, { state: 'resolved' })).toEqual([])
    })

    it('refuses a cursor it did not give out', async () => {
      const store = createStore()
      await expect(
        store.listAlerts('shop-a', { state: 'open', limit: 1, cursor: 'not a cursor!!' }),
      ).rejects.toBeInstanceOf(InvalidCursorError)
    })

    it("counts a merchant's open alerts by type, as they open, resolve and go with their tracking", async () => {
      const store = createStore()
      const none = Object.fromEntries(ALERT_TYPES.map((type) => [type, 0]))
      expect(await store.countOpenAlerts('shop-a')).toEqual(none)
      const [first, second] = (await registerMany(store, 2)).map((record) => record.id)
      if (!first || !second) throw new Error('setup')
      const lateFirst = alert('alr_a', 'late', 1)
      const stalledFirst = alert('alr_b', 'stalled', 2)
      await saveAlerts(store, first, [lateFirst, stalledFirst])
      await saveAlerts(store, second, [alert('alr_c', 'late', 3)])
      expect(await store.countOpenAlerts('shop-a')).toEqual({ ...none, late: 2, stalled: 1 })
      expect(await store.countOpenAlerts('shop-b')).toEqual(none)

      const resolved = { ...lateFirst, resolvedAt: new Date(T0 + 3_600_000).toISOString() }
      await saveAlerts(store, first, [resolved, stalledFirst], [resolved])
      expect(await store.countOpenAlerts('shop-a')).toEqual({ ...none, late: 1, stalled: 1 })
      await store.delete('shop-a', first)
      expect(await store.countOpenAlerts('shop-a')).toEqual({ ...none, late: 1 })
    })
  })
}
