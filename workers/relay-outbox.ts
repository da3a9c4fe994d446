import type { Queue } from 'bullmq'
import type { TrackingNotification } from '../src/domain/tracking-notifications.js'
import type { WebhookEventType } from '../src/domain/webhook-events.js'
import { createLoopFailures, throttleErrorLog } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import { isCluster, type RedisClient } from '../src/redis/redis-client.js'
import { deliveryIdOf, outboxEntryRef } from '../src/store/record-ids.js'
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from '../src/store/webhook-store.js'
import { createFirstAttempts, type FirstAttemptOptions, type NewDelivery } from './first-attempts.js'
import type { DeliveryJobData } from './jobs.js'
import type { EmailRelay } from './relay-emails.js'

export interface RelayOptions {
  /** A connection of its own: XREADGROUP blocks it. */
  redis: RedisClient
  /** The outbox stream of a shard. */
  outboxKey(shard: number): string
  /**
   * The shards whose outboxes this relay reads now: those this process holds (read on each pass).
   * Shard 0's outbox also carries the redeliveries asked through the API. Default: shard 0 alone.
   */
  shards?(): readonly number[]
  /** Several shards (COLIS_SHARDS > 1): ids made from an entry carry its shard too. */
  sharded?: boolean
  webhooks: WebhookStore
  queue: Queue<DeliveryJobData>
  logger: Logger
  consumer: string
  /** An entry a relay took but did not acknowledge for this long is taken over (that relay died). */
  claimIdleMs: number
  blockMs?: number
  /**
   * With several streams on a Redis Cluster, where one blocking read cannot span them: the longest
   * wait between two reads of them all while they are empty (the wait doubles up to it).
   */
  idleMs?: number
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
/** The first wait after a read of every stream found them all empty (several streams on a cluster). */
const FIRST_IDLE_MS = 25
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
  const { redis, webhooks, queue, logger } = options
  const heldShards = options.shards ?? (() => [0])
  /** Where an id made from an entry of `shard` says which shard it came from (several shards only). */
  const shardInIds = (shard: number) => (options.sharded ? shard : undefined)
  let stopped = false
  const firstAttempts = createFirstAttempts(options.firstAttempts, queue)
  /** Entries this relay is handling (`<shard>/<entry id>`): its own reclaim must not take them over. */
  const inFlight = new Set<string>()
  const batches = new Set<Promise<void>>()
  const logBatchFailure = throttleErrorLog(logger, 'outbox batch failed; its entries will be replayed')
  const batchFailed = (error: unknown) =>
    logBatchFailure(error instanceof Error ? error : new Error(String(error)))

  /** Every delivery of a batch of entries, with its endpoint (read in two round trips for the batch). */
  async function deliveriesOf(
    messages: Array<{ entryId: string; message: TrackingNotification }>,
    shard: number,
  ): Promise<Array<{ delivery: WebhookDelivery; endpoint: WebhookEndpoint }>> {
    if (messages.length === 0) return []
    const endpoints = await webhooks.endpointsOf({
      merchantIds: [...new Set(messages.map(({ message }) => message.merchantId))],
      trackingIds: [...new Set(messages.map(({ message }) => message.trackingId))],
    })
    return messages.flatMap(({ entryId, message }) => {
      const ref = outboxEntryRef(entryId, shardInIds(shard))
      const body = `{"type":${JSON.stringify(message.type)},"timestamp":${JSON.stringify(message.timestamp)},"data":${message.data}}`
      return [
        ...(endpoints.ofMerchant.get(message.merchantId) ?? []),
        ...(endpoints.ofTracking.get(message.trackingId) ?? []),
      ]
        .filter((endpoint) => wants(endpoint, message.type))
        .map((endpoint) => ({
          endpoint,
          delivery: {
            id: deliveryIdOf(entryId, endpoint.id, shardInIds(shard)),
            endpointId: endpoint.id,
            messageId: `msg_${ref}`,
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
  async function handle(shard: number, entries: StreamEntry[], reserved: number) {
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
            opts: { jobId: `${fields.r}-r${outboxEntryRef(entry[0], shardInIds(shard))}` },
          })
        }
      }
      await options.emails?.relay(messages.map(({ message }) => message))
      const deliveries = await deliveriesOf(messages, shard)
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
    const outboxKey = options.outboxKey(shard)
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
  function handleInBackground(shard: number, entries: StreamEntry[]) {
    if (entries.length === 0) return
    const ids = entries.map(([id]) => `${shard}/${id}`)
    for (const id of ids) inFlight.add(id)
    // Reserved now, before the next read: a batch must not count slots the one before it will take.
    const batch = handle(shard, entries, firstAttempts.reserve(entries.length))
      .catch(batchFailed)
      .finally(() => {
        for (const id of ids) inFlight.delete(id)
        batches.delete(batch)
      })
    batches.add(batch)
  }

  async function ensureGroup(shard: number) {
    try {
      await redis.xgroup('CREATE', options.outboxKey(shard), GROUP, '0', 'MKSTREAM')
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error
    }
  }

  async function reclaim(shard: number) {
    const [, entries] = (await redis.xautoclaim(
      options.outboxKey(shard),
      GROUP,
      options.consumer,
      options.claimIdleMs,
      '0-0',
      'COUNT',
      100,
    )) as [string, StreamEntry[]]
    handleInBackground(
      shard,
      entries.filter((entry) => entry[1] !== null && !inFlight.has(`${shard}/${entry[0]}`)),
    )
  }

  const failures = createLoopFailures(logger, 'outbox relay', { baseMs: 1000, maxMs: 30_000 })
  let wake: (() => void) | undefined
  /** A wait (backoff, or idle streams) that `stop()` cuts short. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })

  /**
   * New entries of every stream, with one blocking read where a read may span them: one stream, or
   * several on one Redis. A Redis Cluster refuses a read over several slots, so there each stream is
   * read without blocking (all at once), and only when they were all empty does the relay wait, a
   * little longer each time up to `idleMs`: an idle relay costs one read per stream per `idleMs`.
   */
  async function readNew(shards: readonly number[], count: number): Promise<number> {
    const keys = shards.map((shard) => options.outboxKey(shard))
    if (shards.length === 1 || !isCluster(redis)) {
      const result = (await redis.xreadgroup(
        'GROUP',
        GROUP,
        options.consumer,
        'COUNT',
        count,
        'BLOCK',
        options.blockMs ?? 1000,
        'STREAMS',
        ...keys,
        ...keys.map(() => '>'),
      )) as Array<[string, StreamEntry[]]> | null
      let read = 0
      for (const [key, entries] of result ?? []) {
        read += entries.length
        handleInBackground(shards[keys.indexOf(key)] as number, entries)
      }
      return read
    }
    const results = await Promise.all(
      keys.map(
        (key) =>
          redis.xreadgroup(
            'GROUP',
            GROUP,
            options.consumer,
            'COUNT',
            count,
            'STREAMS',
            key,
            '>',
          ) as Promise<Array<[string, StreamEntry[]]> | null>,
      ),
    )
    let read = 0
    results.forEach((result, at) => {
      const entries = result?.[0]?.[1] ?? []
      read += entries.length
      handleInBackground(shards[at] as number, entries)
    })
    return read
  }

  async function run() {
    const grouped = new Set<number>()
    const lastReclaim = new Map<number, number>()
    let idleMs = 0
    while (!stopped) {
      try {
        const shards = heldShards()
        if (shards.length === 0) {
          await pause(options.blockMs ?? 1000)
          continue
        }
        // Also after a Redis restart that lost a stream (no persistence): the group is made again.
        for (const shard of shards) {
          if (grouped.has(shard)) continue
          await ensureGroup(shard)
          grouped.add(shard)
        }
        for (const shard of shards) {
          if (Date.now() - (lastReclaim.get(shard) ?? 0) < Math.min(options.claimIdleMs, 30_000)) continue
          lastReclaim.set(shard, Date.now())
          await reclaim(shard)
        }
        // At most a fifth of the slots to a read when they are all busy; at once when traffic is light.
        await firstAttempts.room(Math.ceil(options.firstAttempts.slots / 5), ROOM_WAIT_MS)
        if (stopped) break
        const count = firstAttempts.free() > 0 ? Math.min(MAX_READ, firstAttempts.free()) : MAX_READ
        const read = await readNew(shards, count)
        failures.succeeded()
        if (read === 0 && shards.length > 1 && isCluster(redis)) {
          idleMs = Math.min(options.idleMs ?? 500, Math.max(FIRST_IDLE_MS, idleMs * 2))
          await pause(idleMs)
        } else idleMs = 0
      } catch (error) {
        if (stopped) break
        if (error instanceof Error && error.message.includes('NOGROUP')) grouped.clear()
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
