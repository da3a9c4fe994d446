import { describe, expect, it } from 'vitest'
import {
  type DashboardSession,
  type DashboardSessionStore,
  SESSION_ID_PATTERN,
} from '../../src/store/dashboard-session-store.js'

export const SESSION: DashboardSession = {
  merchantId: 'shop-a',
  keyId: 'AbCdEfGhJk23',
  csrfToken: 'x'.repeat(43),
  createdAt: '2026-12-06T09:00:00.000Z',
}

const IDLE_MS = 30 * 60_000

/** A fresh, empty store, and a way to let `ms` of its time pass. */
export interface SessionStoreUnderTest {
  store: DashboardSessionStore
  elapse(ms: number): Promise<void>
}

/**
 * What every `DashboardSessionStore` does, whatever keeps its sessions: run against the memory store
 * and the Redis store alike.
 */
export function runDashboardSessionStoreContract(name: string, create: () => SessionStoreUnderTest) {
  describe(`${name}: start and resume`, () => {
    it('gives each session a new random id, and gives the session back under it', async () => {
      const { store } = create()
      const first = await store.start(SESSION, IDLE_MS)
      const second = await store.start({ ...SESSION, merchantId: 'shop-b' }, IDLE_MS)
      expect(first).toMatch(SESSION_ID_PATTERN)
      expect(second).not.toBe(first)
      expect(await store.resume(first, IDLE_MS)).toEqual(SESSION)
      expect(await store.resume(second, IDLE_MS)).toEqual({ ...SESSION, merchantId: 'shop-b' })
    })

    it.each([
      ['an unknown id', 'A'.repeat(43)],
      ['an empty id', ''],
      ['an id of another shape', 'session:*'],
      ['a digest-length id', 'a'.repeat(64)],
    ])('knows no session under %s', async (_name, id) => {
      const { store } = create()
      await store.start(SESSION, IDLE_MS)
      expect(await store.resume(id, IDLE_MS)).toBeUndefined()
    })
  })

  describe(`${name}: expiry and end`, () => {
    it('forgets a session left idle longer than its idle time', async () => {
      const { store, elapse } = create()
      const id = await store.start(SESSION, 60_000)
      await elapse(61_000)
      expect(await store.resume(id, 60_000)).toBeUndefined()
    })

    it('keeps a session that is resumed within its idle time, for the idle time given', async () => {
      const { store, elapse } = create()
      const id = await store.start(SESSION, 60_000)
      await elapse(45_000)
      expect(await store.resume(id, 60_000)).toEqual(SESSION)
      await elapse(45_000)
      expect(await store.resume(id, 60_000)).toEqual(SESSION)
      await elapse(61_000)
      expect(await store.resume(id, 60_000)).toBeUndefined()
    })

    it('ends a session for good, and ends an unknown one without complaint', async () => {
      const { store } = create()
      const id = await store.start(SESSION, IDLE_MS)
      const kept = await store.start(SESSION, IDLE_MS)
      await store.end(id)
      await store.end(id)
      await store.end('not a session')
      expect(await store.resume(id, IDLE_MS)).toBeUndefined()
      expect(await store.resume(kept, IDLE_MS)).toEqual(SESSION)
    })
  })
}
