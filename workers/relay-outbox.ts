import type { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import type { WebhookEventType } from '../src/domain/webhook-events.js'
import { createLoopFailures } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { OutboxMessage } from '../src/store/tracking-ops.js'
import type { WebhookDelivery, WebhookEndpoint, WebhookStore } from '../src/store/webhook-store.js'

export interface DeliveryJobData {
  deliveryId: string
  /** Lets the attempt read the delivery and its endpoint in one round trip (absent on redeliveries). */
  endpointId?: string
}

export interface RelayOptions {
  /** A connection of its own: XREADGROUP blocks it. */
  redis: Redis
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
}

const GROUP = 'relay'
type StreamEntry = [id: string, fields: string[]]

function fieldsOf(entry: StreamEntry): Record<string, string> {
  const fields: Record<string, string> = {}
  for (let index = 0; index + 1 < entry[1].length; index += 2)
    fields[entry[1][index] as string] = entry[1][index + 1] as string
  return fields
}

function wants(endpoint: WebhookEndpoint, type: string): boolean {
  return !endpoint.disabledAt && endpoint.events.includes(type as WebhookEventType)
}

/**
 * Turns outbox entries into one delivery per (entry, endpoint) and its BullMQ job. An entry is
 * acknowledged only once every job exists; a relay that dies before that leaves the entry pending,
 * and another relay takes it over (XAUTOCLAIM). The delivery record (SET NX) and the job id are both
 * derived from the entry and the endpoint, so a replay creates nothing twice.
 */
export function startOutboxRelay(options: RelayOptions) {
  const { redis, outboxKey, webhooks, queue, logger } = options
  let stopped = false

  /** Every delivery of a batch of entries: endpoints read and deliveries written in a few round trips. */
  async function deliveriesOf(
    messages: Array<{ entryId: string; message: OutboxMessage }>,
  ): Promise<WebhookDelivery[]> {
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
          id: `dlv_${compact}_${endpoint.id}`,
          endpointId: endpoint.id,
          messageId: `msg_${compact}`,
          type: message.type as WebhookEventType,
          trackingId: message.trackingId,
          createdAt: message.timestamp,
          state: 'pending' as const,
          attempts: [],
          body,
        }))
    })
  }

  async function handle(entries: StreamEntry[]) {
    if (entries.length === 0) return
    const first = entries[0]?.[0] ?? ''
    await options.fault?.('before-enqueue', first)
    const messages: Array<{ entryId: string; message: OutboxMessage }> = []
    const jobs: Array<{ name: string; data: DeliveryJobData; opts: { jobId: string } }> = []
    for (const entry of entries) {
      const fields = fieldsOf(entry)
      if (fields.m) messages.push({ entryId: entry[0], message: JSON.parse(fields.m) as OutboxMessage })
      // A redelivery asked through the API: same delivery, same webhook-id, a new job.
      if (fields.r) {
        jobs.push({
          name: 'deliver',
          data: { deliveryId: fields.r },
          opts: { jobId: `${fields.r}-r${entry[0].replace('-', 'x')}` },
        })
      }
    }
    const deliveries = await deliveriesOf(messages)
    await webhooks.createDeliveries(deliveries)
    for (const delivery of deliveries)
      jobs.push({
        name: 'deliver',
        data: { deliveryId: delivery.id, endpointId: delivery.endpointId },
        opts: { jobId: delivery.id },
      })
    // Job ids come from the entry and the endpoint: adding an existing one again is a no-op.
    if (jobs.length > 0) await queue.addBulk(jobs)
    await options.fault?.('before-ack', first)
    const ids = entries.map(([id]) => id)
    await redis
      .multi()
      .xack(outboxKey, GROUP, ...ids)
      .xdel(outboxKey, ...ids)
      .exec()
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
    await handle(entries.filter((entry) => entry[1] !== null))
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
        const result = (await redis.xreadgroup(
          'GROUP',
          GROUP,
          options.consumer,
          'COUNT',
          100,
          'BLOCK',
          options.blockMs ?? 1000,
          'STREAMS',
          outboxKey,
          '>',
        )) as Array<[string, StreamEntry[]]> | null
        if (result?.[0]) await handle(result[0][1])
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
    },
  }
}
