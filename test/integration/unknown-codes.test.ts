import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_UNKNOWN_CODE } from '../../adapters/sandbox/scenarios.js'
import { loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/logger.js'
import { type RunningService, startService } from '../../src/main/service.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../../src/store/redis/redis-tracking-store.js'
import { bullPrefix, DELIVERY_QUEUE } from '../../workers/jobs.js'
import { eventually } from '../support/harness.js'
import { untilOutboxDrained, untilQueueIdle } from '../support/idle.js'
import { connectTestRedis, testRedisUrl, uniquePrefix } from '../support/redis.js'
import { type Payload, payloadOf } from '../support/webhook-api.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const ADMIN_TOKEN = 'admin-token-for-the-unknown-codes-0123456789'
const HOUR_MS = 3_600_000
const NUMBER = 'SBXUNKNOWNCODE001'

interface TrackingTimeline {
  status: string
  events: Array<{ code: string; status: string }>
}

/**
 * The unknown-code loop, as `colis serve` runs it (in this process): a poll meets a code colis does not
 * know, the operator lists it, maps it in COLIS_CODE_OVERRIDES and reloads (what SIGHUP calls), and the
 * stored tracking is re-evaluated and notified once. The sandbox plays in real time and the parcel was
 * registered 15 hours ago: its first poll shows the unknown scan (hour 14) and not the next one (hour 18),
 * and its next poll is hours away, so nothing but the reload can change it during the test.
 */
describe('a new carrier code, from its first sighting to an override and a re-evaluated tracking', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colis-unknown-codes-'))
  const overridesFile = join(dir, 'codes.json')
  const prefix = uniquePrefix('unknown-codes')
  let service: RunningService
  let base: string
  let redis: Redis
  let deliveries: Queue
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  const lines: string[] = []
  const logged = (msg: string) =>
    lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === msg)

  beforeAll(async () => {
    writeFileSync(overridesFile, '{}')
    receiver = await startWebhookReceiver()
    redis = connectTestRedis()
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: testRedisUrl(),
      COLIS_REDIS_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: '0',
      COLIS_ADMIN_TOKEN: ADMIN_TOKEN,
      COLIS_CODE_OVERRIDES: overridesFile,
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      SANDBOX_TIME_SCALE: '1',
      POLL_CALENDAR: 'off',
      POLL_DISPATCH_INTERVAL: '50ms',
    })
    deliveries = new Queue(DELIVERY_QUEUE, { connection: redis, prefix: bullPrefix(config) })
    const logger = createLogger(
      'info',
      { app: 'colis' },
      { destination: { write: (line) => lines.push(line) } },
    )
    service = await startService(config, 'all', logger)
    base = service.url ?? ''
  })

  afterAll(async () => {
    await service?.stop()
    await deliveries?.close()
    await redis?.quit()
    await receiver?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
  const getJson = async <T>(path: string, headers: Record<string, string>): Promise<T> => {
    const response = await fetch(`${base}${path}`, { headers })
    expect(response.status, path).toBe(200)
    return (await response.json()) as T
  }
  const statusChanges = () =>
    receiver.received.map(payloadOf).filter((payload: Payload) => payload.type === 'tracking.status_changed')
  /** Every notification written is relayed and every delivery settled: nothing more will be sent. */
  const untilWebhooksIdle = async () => {
    await untilOutboxDrained(redis, createRedisKeys(prefix).outbox(0))
    await untilQueueIdle(deliveries)
  }

  it('lists the code, and after the override and a reload notifies the status it gives once', async () => {
    const created = await fetch(`${base}/admin/keys`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ merchantId: 'shop-codes' }),
    })
    const { key } = (await created.json()) as { key: string }
    const merchant = { authorization: `Bearer ${key}` }
    const endpoint = await fetch(`${base}/v1/webhooks`, {
      method: 'POST',
      headers: { ...merchant, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, events: ['tracking.status_changed'] }),
    })
    expect(endpoint.status).toBe(201)

    // Registered through the store, which takes the registration time the API takes from its clock.
    const { record } = await createRedisTrackingStore(redis, prefix).register(
      { merchantId: 'shop-codes', carrier: 'sandbox', trackingNumber: NUMBER },
      new Date(Date.now() - 15 * HOUR_MS),
    )
    const tracking = () => getJson<TrackingTimeline>(`/v1/trackings/${record.id}`, merchant)
    const polled = await eventually(tracking, (view) => view.status === 'in_transit')
    expect(polled.events.map((event) => [event.code, event.status])).toEqual([
      ['SBX_LABEL', 'info_received'],
      ['SBX_PICKUP', 'in_transit'],
      [SANDBOX_UNKNOWN_CODE, 'unknown'],
    ])

    const listed = await eventually(
      () => getJson<{ data: Array<Record<string, unknown>> }>('/v1/carriers/sandbox/unknown-codes', admin),
      (body) => body.data.length > 0,
    )
    expect(listed.data).toEqual([
      {
        code: SANDBOX_UNKNOWN_CODE,
        wordings: ['Transfert inter-sites'],
        count: expect.any(Number),
        firstSeen: expect.any(String),
        lastSeen: expect.any(String),
      },
    ])
    await untilWebhooksIdle()
    expect(statusChanges().map((payload) => payload.data.tracking.status)).toEqual(['in_transit'])

    writeFileSync(overridesFile, JSON.stringify({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'out_for_delivery' } }))
    await service.reload()

    expect(logged('stored events mapped again with the new code overrides')).toEqual([
      expect.objectContaining({ carrier: 'sandbox', checked: 1, changed: 1, unsaved: 0 }),
    ])
    const remapped = await tracking()
    expect(remapped.status).toBe('out_for_delivery')
    expect(remapped.events.find((event) => event.code === SANDBOX_UNKNOWN_CODE)?.status).toBe(
      'out_for_delivery',
    )
    await eventually(
      async () => statusChanges().length,
      (count) => count >= 2,
    )
    await untilWebhooksIdle()
    expect(
      statusChanges().map((payload) => [payload.data.tracking.id, payload.data.tracking.status]),
    ).toEqual([
      [record.id, 'in_transit'],
      [record.id, 'out_for_delivery'],
    ])
    const after = await getJson<{ data: Array<Record<string, unknown>> }>(
      '/v1/carriers/sandbox/unknown-codes',
      admin,
    )
    expect(after.data[0]).toMatchObject({ code: SANDBOX_UNKNOWN_CODE, override: 'out_for_delivery' })

    // A reload that changes no rule maps nothing again: still one notification of the new status.
    await service.reload()
    await untilWebhooksIdle()
    expect(statusChanges()).toHaveLength(2)
  })

  it('refuses an invalid file on reload and keeps the rules in use', async () => {
    writeFileSync(overridesFile, JSON.stringify({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'gone' } }))
    await service.reload()
    expect(logged('code overrides NOT reloaded: the previous ones stay in use')).toHaveLength(1)
    const after = await getJson<{ data: Array<Record<string, unknown>> }>(
      '/v1/carriers/sandbox/unknown-codes',
      admin,
    )
    expect(after.data[0]).toMatchObject({ code: SANDBOX_UNKNOWN_CODE, override: 'out_for_delivery' })
  })
})
