import type { TrackingRecord } from '../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../src/domain/tracking-event.js'
import { createSilentLogger } from '../src/logger.js'
import { createRedisConnections } from '../src/main/redis-connections.js'
import { createStores } from '../src/main/stores.js'
import type { RedisAddress } from '../src/redis/redis-client.js'
import { laPosteNumber } from './poll-cost.js'

/** Scans in each seeded timeline. */
export const TIMELINE_EVENTS = 20
export const BENCH_MERCHANT = 'bench-shop'

const START_MS = Date.parse('2026-06-01T08:00:00+02:00')
const HOUR_MS = 3_600_000

/** A La Poste timeline of TIMELINE_EVENTS hourly scans, the last one the delivery when `delivered`. */
function timeline(trackingNumber: string, delivered: boolean): TrackingEvent[] {
  return Array.from({ length: TIMELINE_EVENTS }, (_, step) => {
    const last = step === TIMELINE_EVENTS - 1
    const status = step === 0 ? 'info_received' : delivered && last ? 'delivered' : 'in_transit'
    return withEventId('laposte', trackingNumber, {
      occurredAt: new Date(START_MS + step * HOUR_MS).toISOString().replace('Z', '+00:00'),
      status,
      code: step === 0 ? 'DR1' : status === 'delivered' ? 'DI1' : 'ET1',
      description: `Votre colis est en cours d'acheminement (étape ${step + 1}).`,
      location: { name: `Plateforme ${step + 1}`, city: 'Paris', postalCode: '75011', countryCode: 'FR' },
    })
  })
}

/** The record after the timeline's polls: in transit and followed, or delivered and no longer polled. */
function polledRecord(before: TrackingRecord, events: TrackingEvent[], delivered: boolean): TrackingRecord {
  const at = new Date(START_MS + TIMELINE_EVENTS * HOUR_MS).toISOString()
  const polled = { ...before, updatedAt: at, lastCheckedAt: at, lastNewEventAt: at }
  if (!delivered) return { ...polled, status: 'in_transit' }
  const deliveredAt = events.at(-1)?.occurredAt
  return { ...polled, status: 'delivered', stopped: 'terminal', ...(deliveredAt ? { deliveredAt } : {}) }
}

/**
 * La Poste parcels of one merchant, each with a TIMELINE_EVENTS-scan timeline written through the
 * store as polls would; the merchant's API key and the trackings' ids, in order. On a Redis Cluster,
 * give the seeds and the shards colis will read them with.
 */
export async function seedTimelines(
  address: RedisAddress,
  prefix: string,
  options: { parcels: number; delivered?: boolean; shards?: number },
): Promise<{ key: string; ids: string[] }> {
  const { parcels, delivered = false, shards } = options
  const connections = createRedisConnections(address, createSilentLogger())
  try {
    const stores = createStores(connections.connect(), prefix, { shards })
    const { key } = await stores.apiKeys.create(BENCH_MERCHANT)
    const store = stores.trackings
    const ids: string[] = []
    for (let first = 0; first < parcels; first += 500) {
      const serials = Array.from({ length: Math.min(500, parcels - first) }, (_, index) => 42 + first + index)
      const registered = await store.registerMany(
        serials.map((serial) => ({
          input: {
            merchantId: BENCH_MERCHANT,
            carrier: 'laposte',
            trackingNumber: laPosteNumber(serial),
            orderId: `ORDER-${serial}`,
            destinationPostalCode: '75011',
            promisedDeliveryDate: '2026-06-05',
            metadata: { customer: `c-${serial}`, channel: 'web' },
          },
        })),
        new Date(START_MS),
      )
      const views = await store.loadForPoll(registered.map(({ record }) => record.id))
      const outcomes = await store.save(
        views.map((before) => {
          if (!before) throw new Error('seeded tracking missing')
          const events = timeline(before.record.trackingNumber, delivered)
          return {
            before,
            record: polledRecord(before.record, events, delivered),
            events,
            nextPoll: delivered ? undefined : { atMs: Date.now() + HOUR_MS },
          }
        }),
      )
      if (outcomes.some((outcome) => outcome !== 'saved')) throw new Error(`seeding timelines: ${outcomes}`)
      ids.push(...registered.map(({ record }) => record.id))
    }
    return { key, ids }
  } finally {
    await connections.closeAll()
  }
}
