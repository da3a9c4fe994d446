import { Redis } from 'ioredis'
import { isoWeekMonday } from '../src/domain/analytics/analytics-cell.js'
import { addCalendarDays } from '../src/domain/business-calendar.js'
import { type TrackingEvent, withEventId } from '../src/domain/tracking-event.js'
import { createStores } from '../src/main/stores.js'
import { laPosteNumber } from './poll-cost.js'

const POSTAL_CODES = ['75011', '69003', '13008', '59000', '33000', '31000', '44000', '67000']

/**
 * La Poste parcels of a merchant, registered at once and delivered one at a time through the tracking
 * store's save, as a poll finishing them would: each save adds its parcel to its cell-week in the same
 * script, and so changes what a carrier report reads. Handed over in `weeks`, in turn.
 */
export async function parcelsToFinish(
  redisUrl: string,
  prefix: string,
  options: { merchantId: string; count: number; weeks: readonly string[]; shards?: number },
) {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null })
  const store = createStores(redis, prefix, { shards: options.shards }).trackings
  const registered = await store.registerMany(
    Array.from({ length: options.count }, (_, index) => ({
      input: {
        merchantId: options.merchantId,
        carrier: 'laposte',
        trackingNumber: laPosteNumber(900_000 + index),
        destinationPostalCode: POSTAL_CODES[index % POSTAL_CODES.length],
      },
    })),
    new Date(),
  )
  let next = 0
  return {
    /** Delivers the next parcel; throws once none is left. */
    async finishOne(): Promise<void> {
      const index = next++
      const id = registered[index]?.record.id
      const week = options.weeks[index % options.weeks.length]
      if (!id || !week) throw new Error(`no parcel left to finish (${options.count})`)
      const [view] = await store.loadForPoll([id])
      if (!view) throw new Error(`parcel ${id} is gone`)
      const monday = isoWeekMonday(week)
      const number = view.record.trackingNumber
      const scan = (date: string, code: string, status: TrackingEvent['status']) =>
        withEventId('laposte', number, {
          occurredAt: `${date}T10:00:00+01:00`,
          status,
          code,
          description: status,
          location: { city: 'Paris', postalCode: '75011', countryCode: 'FR' },
        })
      const events = [
        scan(monday, 'PC1', 'in_transit'),
        scan(addCalendarDays(monday, 1 + (index % 3)), 'DI1', 'delivered'),
      ]
      const deliveredAt = events[1]?.occurredAt
      const [outcome] = await store.save([
        {
          before: view,
          record: { ...view.record, status: 'delivered', stopped: 'terminal', deliveredAt },
          events,
          nextPoll: 'none',
        },
      ])
      if (outcome !== 'saved') throw new Error(`finishing parcel ${id}: ${outcome}`)
    },
    close: () => redis.quit(),
  }
}
