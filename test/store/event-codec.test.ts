import { createHash } from 'node:crypto'
import fc from 'fast-check'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type TrackingEvent, withEventId } from '../../src/domain/tracking-event.js'
import {
  DEFLATE_FROM_BYTES,
  decodeEvents,
  decodeEventsJson,
  encodeEvents,
} from '../../src/store/event-codec.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import { anyEvent } from '../support/arbitraries.js'
import { connectTestRedis, uniquePrefix } from '../support/redis.js'

const NUMBER = '6A00000000011'

const LABELS = [
  'Votre Colissimo va bientôt nous être confié ! Il est en cours de préparation chez votre expéditeur.',
  'Votre colis a été déposé dans un point postal.',
  'Votre colis est en transit sur nos plateformes logistiques.',
  "Votre colis est en cours d'acheminement vers le site de CHILLY MAZARIN, il poursuit sa route.",
  'Votre colis est arrivé dans le pays du destinataire.',
]

/** A La Poste-like timeline of `count` events, oldest first. */
function timeline(count: number): TrackingEvent[] {
  return Array.from({ length: count }, (_, index) =>
    withEventId('laposte', NUMBER, {
      occurredAt: `2026-03-${String(10 + Math.floor(index / 4)).padStart(2, '0')}T${String(6 + (index % 4) * 4).padStart(2, '0')}:15:00+01:00`,
      status: index === 0 ? 'info_received' : 'in_transit',
      code: index === 0 ? 'DR1' : `ET${(index % 4) + 1}`,
      description: LABELS[index % LABELS.length] as string,
    }),
  )
}

/** Written by the deflate format (tag 0x01): `timeline(8)`. It must decode forever: a change to the
 * dictionary breaks this test, and every timeline stored with it. */
const GOLDEN =
  'Ab2WW26CQBSGtzJ9Lw0XkeobigbqfQSLJo0BizgWGR3AUnbU9+7AjTVemniBURvbBUzm+0/m/87s39GvyjZexC2F5+cJqvYsLKs1knozKzAcq7P5IicWWTYt3OE0dygK5DJoNo4J0AyDpQVs5Pjh6isEPo6CnVtG2B+j1Se4A5p38tJPHbsVwJ7EHg5na304skJ6QqeEuuagwgvmmwnHlKwcm531dOYVnaeO/Yw8tg/qCHkkNstdXGtV5EJPgpN2zLgkytOQc9chC1TkVE8Ee5YIgIddFIRoETnBEfv70kCGZk51g9SdjufGVjRuiDT2x+vYc5ewpzpr6ZDNnvnRa1nV6vU+aMgDGWrNe4A8MF+fi9ahLUBwFDpH6frSq02MljzrEiHwcU2tk2RkZKbjqMVJS5fVmnNb8/AjcETtx20oTZUWs2DMoVvSCgkalVUK9a0q8N9dhxPuiYfirBfl2yHHCFEcT6FEC3rT4vym64ntsl2LnSMbDpnyRPc5/jmc0pD/oi+Xd/3lGw=='

describe('event codec', () => {
  it('round-trips a 20-event timeline in under a third of its JSON size', () => {
    const events = timeline(20)
    const stored = encodeEvents(events)
    expect(stored[0]).toBe(0x01)
    expect(stored.length).toBeLessThan(Buffer.byteLength(JSON.stringify(events)) / 3)
    expect(decodeEvents(stored)).toEqual(events)
  })

  it('round-trips a timeline whose deflated form spans several output chunks', () => {
    // Random descriptions do not compress: the deflated form is several KB, zlib writes it chunk by chunk.
    const noise = (index: number) => createHash('sha512').update(String(index)).digest('base64')
    const events = timeline(60).map((event, index) => ({ ...event, description: noise(index) }))
    const stored = encodeEvents(events)
    expect(stored.length).toBeGreaterThan(4 * 1024)
    expect(decodeEvents(stored)).toEqual(events)
  })

  it('keeps short timelines as plain JSON and deflates from DEFLATE_FROM_BYTES of JSON on', () => {
    expect(encodeEvents([]).toString()).toBe('[]')
    expect(decodeEvents(encodeEvents([]))).toEqual([])
    const jsonBytes = (count: number) => Buffer.byteLength(JSON.stringify(timeline(count)))
    let count = 1
    while (jsonBytes(count + 1) < DEFLATE_FROM_BYTES) count++
    // `count` events are the longest timeline under the bound, `count + 1` the shortest over it.
    expect(count).toBeGreaterThan(3)
    expect(encodeEvents(timeline(count)).toString()).toBe(JSON.stringify(timeline(count)))
    const over = encodeEvents(timeline(count + 1))
    expect(over[0]).toBe(0x01)
    expect(decodeEvents(over)).toEqual(timeline(count + 1))
  })

  it('reads timelines stored as JSON before the codec existed, as a Buffer or a string', () => {
    const events = timeline(20)
    expect(decodeEvents(Buffer.from(JSON.stringify(events)))).toEqual(events)
    expect(decodeEvents(JSON.stringify(events))).toEqual(events)
    expect(decodeEvents('[]')).toEqual([])
    expect(decodeEventsJson(Buffer.from(JSON.stringify(events)))).toBe(JSON.stringify(events))
  })

  it('reads a missing or empty field as an empty timeline', () => {
    expect(decodeEvents(null)).toEqual([])
    expect(decodeEvents(undefined)).toEqual([])
    expect(decodeEvents(Buffer.alloc(0))).toEqual([])
    expect(decodeEventsJson(null)).toBe('[]')
  })

  it('decodes what the deflate format wrote, and writes exactly that format', () => {
    expect(decodeEvents(Buffer.from(GOLDEN, 'base64'))).toEqual(timeline(8))
    expect(encodeEvents(timeline(8)).toString('base64')).toBe(GOLDEN)
  })

  it('refuses an encoding it does not know instead of guessing', () => {
    expect(() => decodeEvents(Buffer.of(0x7f, 1, 2, 3))).toThrow(
      /unknown timeline encoding \(first byte 0x7f\)/,
    )
  })

  it('round-trips any timeline, optional fields and any Unicode included', () => {
    fc.assert(
      fc.property(fc.array(anyEvent(), { maxLength: 30 }), (events) => {
        expect(decodeEvents(encodeEvents(events))).toEqual(events)
        // The API splices this text into its answers: it must be exactly what was encoded.
        expect(decodeEventsJson(encodeEvents(events))).toBe(JSON.stringify(events))
      }),
    )
  })
})

describe('tracking store with the event codec', () => {
  let redis: Redis

  beforeAll(() => {
    redis = connectTestRedis()
  })

  afterAll(async () => {
    await redis.quit()
  })

  it('stores a timeline deflated and reads it back through get and loadForPoll', async () => {
    const prefix = uniquePrefix('codec')
    const store = createRedisTrackingStore(redis, prefix)
    const keys = createRedisKeys(prefix)
    const { record } = await store.register(
      { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: NUMBER },
      new Date('2026-03-27T10:00:00Z'),
    )
    const events = timeline(20)
    const [view] = await store.loadForPoll([record.id])
    if (!view) throw new Error('registered tracking missing')
    expect(await store.save([{ before: view, record: { ...record, status: 'in_transit' }, events }])).toEqual(
      ['saved'],
    )
    const raw = await redis.hgetBuffer(keys.tracking(record.id), 'events')
    expect(raw?.[0]).toBe(0x01)
    expect((await store.get('shop-a', record.id))?.events).toEqual(events)
    expect((await store.read('shop-a', record.id))?.eventsJson).toBe(JSON.stringify(events))
    expect((await store.loadForPoll([record.id]))[0]?.events).toEqual(events)
  })

  it('reads a timeline stored as JSON, and writes it deflated once it is long enough', async () => {
    const prefix = uniquePrefix('codec-json')
    const store = createRedisTrackingStore(redis, prefix)
    const keys = createRedisKeys(prefix)
    const { record } = await store.register(
      { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: NUMBER },
      new Date('2026-03-27T10:00:00Z'),
    )
    const asJson = timeline(12)
    await redis.hset(keys.tracking(record.id), 'events', JSON.stringify(asJson))
    expect((await store.get('shop-a', record.id))?.events).toEqual(asJson)
    const [view] = await store.loadForPoll([record.id])
    expect(view?.events).toEqual(asJson)
    expect(view?.version).toBe(1)
    if (!view) throw new Error('registered tracking missing')
    const longer = timeline(13)
    expect(await store.save([{ before: view, record, events: longer }])).toEqual(['saved'])
    expect((await redis.hgetBuffer(keys.tracking(record.id), 'events'))?.[0]).toBe(0x01)
    expect((await store.get('shop-a', record.id))?.events).toEqual(longer)
    // A save that leaves the timeline alone keeps it as it is.
    const [again] = await store.loadForPoll([record.id])
    if (!again) throw new Error('tracking missing')
    expect(await store.save([{ before: again, record }])).toEqual(['saved'])
    expect((await store.loadForPoll([record.id]))[0]).toMatchObject({ events: longer, version: 3 })
  })

  it('serves a tracking it read before from memory while its version is the stored one, and a newer one once saved', async () => {
    const prefix = uniquePrefix('codec-cache')
    const api = createRedisTrackingStore(redis, prefix)
    const worker = createRedisTrackingStore(redis, prefix)
    const keys = createRedisKeys(prefix)
    const { record } = await worker.register(
      { merchantId: 'shop-a', carrier: 'laposte', trackingNumber: NUMBER },
      new Date('2026-03-27T10:00:00Z'),
    )
    const save = async (events?: ReturnType<typeof timeline>) => {
      const [view] = await worker.loadForPoll([record.id])
      if (!view) throw new Error('tracking missing')
      expect(await worker.save([{ before: view, record: view.record, events }])).toEqual(['saved'])
    }
    await save(timeline(5))
    expect((await api.read('shop-a', record.id))?.eventsJson).toBe(JSON.stringify(timeline(5)))
    // Same version: the stored bytes are not even read again (garbage there goes unnoticed).
    const stored = await redis.hmgetBuffer(keys.tracking(record.id), 'doc', 'events')
    await redis.hset(keys.tracking(record.id), 'doc', '{', 'events', Buffer.of(0x7f))
    expect(await api.read('shop-a', record.id)).toMatchObject({
      record: { id: record.id },
      eventsJson: JSON.stringify(timeline(5)),
    })
    await redis.hset(keys.tracking(record.id), 'doc', stored[0] as Buffer, 'events', stored[1] as Buffer)
    await save(timeline(6))
    expect((await api.read('shop-a', record.id))?.eventsJson).toBe(JSON.stringify(timeline(6)))
    // A save that leaves the timeline alone still moves the version: read again, same text.
    await save()
    expect((await api.read('shop-a', record.id))?.eventsJson).toBe(JSON.stringify(timeline(6)))
    expect(await api.read('shop-b', record.id)).toBeUndefined()
  })
})
