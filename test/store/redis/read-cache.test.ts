import { describe, expect, it } from 'vitest'
import type { TrackingRecord } from '../../../src/domain/tracking.js'
import { createReadCache, type ReadCacheEntry } from '../../../src/store/redis/read-cache.js'

const entry = (version: string, eventsJson: string): ReadCacheEntry => ({
  version,
  record: { id: 'trk_a' } as TrackingRecord,
  eventsJson,
})

describe('read cache', () => {
  it('drops the least recently used entry beyond its size', () => {
    const cache = createReadCache(2)
    cache.set('a', entry('1', '[a]'))
    cache.set('b', entry('1', '[b]'))
    expect(cache.get('a')?.eventsJson).toBe('[a]')
    cache.set('c', entry('1', '[c]'))
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('a')?.eventsJson).toBe('[a]')
    expect(cache.get('c')?.eventsJson).toBe('[c]')
    expect(cache.size).toBe(2)
  })

  it('replaces the entry of a tracking with its newer version', () => {
    const cache = createReadCache(2)
    cache.set('a', entry('1', '[]'))
    cache.set('a', entry('2', '[x]'))
    expect(cache.get('a')).toMatchObject({ version: '2', eventsJson: '[x]' })
    expect(cache.size).toBe(1)
  })

  it('keeps nothing when sized 0', () => {
    const cache = createReadCache(0)
    cache.set('a', entry('1', '[]'))
    expect(cache.get('a')).toBeUndefined()
  })
})
