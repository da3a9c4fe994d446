import type { Queue } from 'bullmq'
import type { TrackingNotification } from '../src/domain/tracking-notifications.js'
import type { WebhookEventType } from '../src/domain/webhook-events.js'
import { createLoopFailures, throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { RedisClient } from '../src/redis/redis-client.js'
import { deliveryIdOf } from '../src/store/record-ids.js'
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from '../src/store/webhook-store.js'
import { createFirstAttempts, type FirstAttemptOptions, type NewDelivery } from './first-attempts.js'
import type { DeliveryJobData } from './jobs.js'
import type { EmailRelay } from './relay-emails.js'

export interface RelayOptions {
  /** A connection of its own: XREADGROUP blocks it. */
  redis: RedisClient
  outboxKey: string
  webhooks: WebhookStore
  queue: Queue<DeliveryJobData>
  logger: Logger
  consumer: string
  /** An entry a relay took but did not acknowledge for this long is taken over (that relay died). */
  claimIdleMs: number
  blockMs?: number
  /** Fault injection for tests: a throw here is a relay dying at that point. */
  fault?: (stage: 'before-enqueue' | 'before-ack', entryId: string) => Promise<void>
  firstAttempts: FirstAttemptOptions
  /** The e-mail side: the milestones each entry announces, queued before the entry is acknowledged. */
  emails?: Pick<EmailRelay, 'relay'>
}

const GROUP = 'relay'
const MAX_READ = 100
/**
 * How long the relay waits for a free first-attempt slot before reading on, the entries it then reads
 * becoming jobs: with healthy endpoints a slot frees within milliseconds, so a longer wait means the
 * endpoints are slow, and the outbox must not wait for them.
 */
const ROOM_WAIT_MS = 100
type StreamEntry = [id: string, fields: string[]]

function fieldsOf(entry: StreamEntry): Record<string, string> {
  const fields: Record<string, string> = {}
  for (let index = 0; index + 1 < entry[1].length; index += 2)
    fields[entry[1][index] as string] = entry[1][index + 1] as string
  return fields
}

function rethrowFirst(results: PromiseSettledResult<unknown>[]) {
  for (const result of results) if (result.status === 'rejected') throw result.reason
}

function wants(endpoint: WebhookEndpoint, type: string): boolean {
  return !endpoint.disabledAt && endpoint.events.includes(type as WebhookEventType)
}

/**
 * Turns outbox entries into one delivery per (entry, endpoint) and makes its first attempt (or, with
 * no slot free, gives it a BullMQ job). An entry is acknowledged only once each of its deliveries is
 * attempted and recorded or has its job; a relay that dies before that leaves the entry pending, and
 * another relay takes it over (XAUTOCLAIM). The delivery record (SET NX) and the job id are both
 * derived from the entry and the endpoint, so a replay creates nothing twice, and the job of a replayed
 * delivery that was settled meanwhile sends nothing.
 */
export function startOutboxRelay(options: RelayOptions) {
  const { redis, outboxKey, webhooks, queue, logger } = options
  let stopped = false
  const firstAttempts = createFirstAttempts(options.firstAttempts, queue)
  /** Entries this relay is handling: its own reclaim must not take them over as if abandoned. */
  const inFlight = new Set<string>()
  const batches = new Set<Promise<void>>()
  const logBatchFailure = throttleErrorLog(logger, 'outbox batch failed; its entries will be replayed')
  const batchFailed = (error: unknown) =>
    logBatchFailure(error instanceof Error ? error : new Error(String(error)))

  /** Every delivery of a batch of entries, with its endpoint (read in two round trips for the batch). */
  async function deliveriesOf(
    messages: Array<{ entryId: string; message: TrackingNotification }>,
  ): Promise<Array<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint }>> {
    if (messages.length === 0) return []
    const endpoints = await webhooks.endpointsOf({
      merchantIds: [...new Set(messages.map(({ message }) => message.merchantId))],
      trackingIds: [...new Set(messages.map(({ message }) => message.trackingId))],
    })
    return messages.flatMap(({ entryId, message }) => {
      const compact = entryId.replace('-', 'x')
      const body = `{"type":${JSON.stringify(message.type)},"timestamp":${JSON.stringify(message.timestamp)},"data":${message.data}}`
      return [
        ...(endpoints.ofMerchant.get(message.merchantId) ?? []),
        ...(endpoints.ofTracking.get(message.trackingId) ?? []),
      ]
        .filter((endpoint) => wants(endpoint, message.type))
        .map((endpoint) => ({
          endpoint,
          delivery: {
            id: deliveryIdOf(entryId, endpoint.id),
            endpointId: endpoint.id,
            messageId: `msg_${compact}`,
            type: message.type as WebhookEventType,
            trackingId: message.trackingId,
            createdAt: message.timestamp,
            state: 'pending' as const,
            attempts: [],
            body,
          },
        }))
    })
  }

  /** `reserved`: first-attempt slots taken for these entries when they were read. */
  async function handle(entries: StreamEntry[], reserved: number) {
    let unused = reserved
    // An entry may have several endpoints: past the reserved slots, a delivery takes any slot free.
    const takeSlot = () => {
      if (unused === 0) return firstAttempts.reserve(1) === 1
      unused--
      return true
    }
    const giveBackUnused = () => {
      firstAttempts.release(unused)
      unused = 0
    }
    if (entries.length === 0) return giveBackUnused()
    const first = entries[0]?.[0] ?? ''
    const jobs: Array<{ name: string; data: DeliveryJobData; opts: { jobId: string } }> = []
    const attempts: NewDelivery[] = []
    try {
      await options.fault?.('before-enqueue', first)
      const messages: Array<{ entryId: string; message: TrackingNotification }> = []
      for (const entry of entries) {
        const fields = fieldsOf(entry)
        if (fields.m)
          messages.push({ entryId: entry[0], message: JSON.parse(fields.m) as TrackingNotification })
        // A redelivery asked through the API: same delivery, same webhook-id, a new job.
        if (fields.r) {
          jobs.push({
            name: 'deliver',
            data: { deliveryId: fields.r, redelivery: true },
            opts: { jobId: `${fields.r}-r${entry[0].replace('-', 'x')}` },
          })
        }
      }
      await options.emails?.relay(messages.map(({ message }) => message))
      const deliveries = await deliveriesOf(messages)
      const stored = await webhooks.createDeliveries(deliveries.map(({ delivery }) => delivery))
      deliveries.forEach(({ delivery, endpoint }, index) => {
        const doc = stored[index]
        // A delivery that existed already comes from a replayed entry: its job (same id) settles it.
        if (doc !== undefined && takeSlot()) attempts.push({ delivery, stored: doc, endpoint })
        else
          jobs.push({
            name: 'deliver',
            data: { deliveryId: delivery.id, endpointId: delivery.endpointId },
            opts: { jobId: delivery.id },
          })
      })
    } finally {
      giveBackUnused()
    }
    // Job ids come from the entry and the endpoint: adding an existing one again is a no-op.
    try {
      if (jobs.length > 0) await queue.addBulk(jobs)
    } finally {
      await Promise.allSettled(attempts.map((attempt) => firstAttempts.attempt(attempt))).then(rethrowFirst)
    }
    await options.fault?.('before-ack', first)
    const ids = entries.map(([id]) => id)
    await redis
      .multi()
      .xack(outboxKey, GROUP, ...ids)
      .xdel(outboxKey, ...ids)
      .exec()
  }

  /**
   * Handles entries without holding up the reads: the relay goes on reading while first attempts are
   * under way. An entry is acknowledged once all its deliveries are settled or queued; one whose batch
   * failed stays pending and is taken over later (XAUTOCLAIM), which replays it safely.
   */
  function handleInBackground(entries: StreamEntry[]) {
    const ids = entries.map(([id]) => id)
    for (const id of ids) inFlight.add(id)
    // Reserved now, before the next read: a batch must not count slots the one before it will take.
    const batch = handle(entries, firstAttempts.reserve(entries.length))
      .catch(batchFailed)
      .finally(() => {
        for (const id of ids) inFlight.delete(id)
        batches.delete(batch)
      })
    batches.add(batch)
  }

  async function ensureGroup() {
    try {
      await redis.xgroup('CREATE', outboxKey, GROUP, '0', 'MKSTREAM')
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error
    }
  }

  async function reclaim() {
    const [, entries] = (await redis.xautoclaim(
      outboxKey,
      GROUP,
      options.consumer,
      options.claimIdleMs,
      '0-0',
      'COUNT',
      100,
    )) as [string, StreamEntry[]]
    const abandoned = entries.filter((entry) => entry[1] !== null && !inFlight.has(entry[0]))
    if (abandoned.length > 0) handleInBackground(abandoned)
  }

  const failures = createLoopFailures(logger, 'outbox relay', { baseMs: 1000, maxMs: 30_000 })
  let wake: (() => void) | undefined
  /** A backoff wait that `stop()` cuts short. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  async function run() {
    let grouped = false
    let lastReclaim = 0
    while (!stopped) {
      try {
        // Also after a Redis restart that lost the stream (no persistence): the group is made again.
        if (!grouped) {
          await ensureGroup()
          grouped = true
        }
        if (Date.now() - lastReclaim >= Math.min(options.claimIdleMs, 30_000)) {
          lastReclaim = Date.now()
          await reclaim()
        }
        // At most a fifth of the slots to a read when they are all busy; at once when traffic is light.
        await firstAttempts.room(Math.ceil(options.firstAttempts.slots / 5), ROOM_WAIT_MS)
        if (stopped) break
        const result = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          options.consumer,
          'COUNT',
          firstAttempts.free() > 0 ? Math.min(MAX_READ, firstAttempts.free()) : MAX_READ,
          'BLOCK',
          options.blockMs ?? 1000,
          'STREAMS',
          outboxKey,
          '>',
        )) as Array<[string, StreamEntry[]]> | null
        if (result?.[0]) handleInBackground(result[0][1])
        failures.succeeded()
      } catch (error) {
        if (stopped) break
        if (error instanceof Error && error.message.includes('NOGROUP')) grouped = false
        await pause(failures.failed(error))
      }
    }
  }

  const running = run()
  return {
    async stop() {
      stopped = true
      wake?.()
      await running
      while (batches.size > 0) await Promise.allSettled([...batches])
    },
  }
}
