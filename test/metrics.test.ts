import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SANDBOX_UNKNOWN_CODE } from '../adapters/sandbox/scenarios.js'
import { loadConfig } from '../src/config.js'
import { addCalendarDays, parisDateOf } from '../src/domain/business-calendar.js'
import { createSilentLogger } from '../src/logger.js'
import { startService } from '../src/main/service.js'
import { createMetrics } from '../src/metrics.js'
import { createOpenAlertCounts } from '../src/store/redis/open-alert-counts.js'
import { createQueueMonitor, type QueueMonitor } from '../workers/queue-monitor.js'
import { createHarness, eventually, type Harness } from './support/harness.js'
import { parseExposition, type Sample, sampleValue } from './support/prometheus.js'
import { testRedisUrl, uniquePrefix } from './support/redis.js'
import { startWebhookReceiver } from './support/webhook-receiver.js'

describe('createMetrics', () => {
  it('keeps its metrics on a registry of its own', async () => {
    const first = createMetrics()
    const second = createMetrics()
    first.polls.inc({ carrier: 'laposte', outcome: 'ok' })
    const samples = (metrics: ReturnType<typeof createMetrics>) =>
      metrics.render().then(({ body }) => parseExposition(body))
    expect(sampleValue(await samples(first), 'colis_polls_total', { carrier: 'laposte' })).toBe(1)
    expect(sampleValue(await samples(second), 'colis_polls_total', { carrier: 'laposte' })).toBeUndefined()
  })

  it('caps the unknown-code label values, counting the rest as `other`', async () => {
    const metrics = createMetrics()
    for (let index = 0; index < 520; index++) metrics.countUnknownCode('acme', `CODE${index}`)
    metrics.countUnknownCode('acme', 'CODE0')
    metrics.countUnknownCode('acme', 'X'.repeat(200))
    const samples = parseExposition((await metrics.render()).body).filter(
      (sample) => sample.name === 'colis_unknown_carrier_codes_total',
    )
    expect(samples).toHaveLength(501)
    expect(sampleValue(samples, 'colis_unknown_carrier_codes_total', { code: 'CODE0' })).toBe(2)
    expect(sampleValue(samples, 'colis_unknown_carrier_codes_total', { code: 'other' })).toBe(21)
  })

  it('leaves out a source that does not answer in time, and counts it, instead of hanging the scrape', async () => {
    const metrics = createMetrics({ sourceTimeoutMs: 100 })
    metrics.watchQueues(() => new Promise(() => undefined))
    metrics.watchOpenAlerts(async () => {
      throw new Error('Stream isn\u2019t writeable')
    })
    const samples = parseExposition((await metrics.render()).body)
    expect(samples.some((sample) => sample.name === 'colis_queue_jobs')).toBe(false)
    expect(samples.some((sample) => sample.name === 'colis_open_alerts')).toBe(false)
    expect(sampleValue(samples, 'colis_metrics_source_errors_total', { source: 'queue_depths' })).toBe(1)
    expect(sampleValue(samples, 'colis_metrics_source_errors_total', { source: 'open_alerts' })).toBe(1)
  })
})

describe('GET /metrics on a running pipeline (sandbox carrier, workers, webhooks)', () => {
  const metrics = createMetrics()
  let harness: Harness
  let monitor: QueueMonitor
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let key: string

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    harness = await createHarness(
      'metrics',
      {
        SANDBOX_TIME_SCALE: '36000',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        ALERT_SWEEP_INTERVAL: '200ms',
      },
      {},
      { metrics },
    )
    monitor = createQueueMonitor({
      connection: harness.redis,
      config: harness.config,
      carriers: () => [{ id: 'sandbox', rateLimit: { max: 50 } }],
    })
    metrics.watchQueues(() => monitor.depths())
    metrics.watchOpenAlerts(createOpenAlertCounts(harness.redis, harness.config.COLIS_REDIS_PREFIX))
    key = (await harness.apiKeys.create('shop-metrics')).key
    const subscribed = await harness.request(key, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url }),
    })
    expect(subscribed.status).toBe(201)
    await harness.startWorkers()
  })

  afterAll(async () => {
    await monitor.close()
    await harness.close()
    await receiver.close()
  })

  const scrape = async (): Promise<Sample[]> => {
    const response = await harness.app.request('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    return parseExposition(await response.text())
  }

  it('counts polls, carrier errors, unknown codes, deliveries, open alerts, queues and requests', async () => {
    const yesterday = addCalendarDays(parisDateOf(Date.now()), -1)
    const registrations = [
      { trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox' },
      { trackingNumber: 'SBXUNKNOWNCODE001', carrier: 'sandbox' },
      { trackingNumber: 'SBXNOTFOUND001', carrier: 'sandbox' },
      { trackingNumber: 'SBXSTALLED001', carrier: 'sandbox', promisedDeliveryDate: yesterday },
    ]
    const ids: string[] = []
    for (const body of registrations) {
      const created = await harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify(body),
      })
      expect(created.status).toBe(201)
      ids.push(((await created.json()) as { id: string }).id)
    }
    expect((await harness.request(key, `/v1/trackings/${ids[0]}`)).status).toBe(200)
    expect((await harness.app.request('/no/such/route')).status).toBe(404)

    const sandbox = { carrier: 'sandbox' }
    const samples = await eventually(scrape, (all) =>
      [
        sampleValue(all, 'colis_polls_total', { ...sandbox, outcome: 'ok' }),
        sampleValue(all, 'colis_polls_total', { ...sandbox, outcome: 'not_found' }),
        sampleValue(all, 'colis_unknown_carrier_codes_total', { ...sandbox, code: SANDBOX_UNKNOWN_CODE }),
        sampleValue(all, 'colis_webhook_deliveries_total', { outcome: 'delivered' }),
        sampleValue(all, 'colis_open_alerts', { type: 'late' }),
      ].every((value) => value !== undefined && value > 0),
    )

    expect(
      sampleValue(samples, 'colis_carrier_errors_total', { ...sandbox, kind: 'not_found' }),
    ).toBeGreaterThan(0)
    expect(sampleValue(samples, 'colis_poll_duration_seconds_count', sandbox)).toBeGreaterThan(0)
    expect(
      sampleValue(samples, 'colis_poll_duration_seconds_bucket', { ...sandbox, le: '+Inf' }),
    ).toBeGreaterThan(0)
    expect(
      sampleValue(samples, 'colis_webhook_delivery_duration_seconds_count', { outcome: 'delivered' }),
    ).toBeGreaterThan(0)
    expect(sampleValue(samples, 'colis_open_alerts', { type: 'stalled' })).toBeGreaterThanOrEqual(0)
    for (const queue of ['poll-sandbox', 'webhook-deliveries', 'maintenance']) {
      for (const state of ['waiting', 'delayed', 'active', 'failed']) {
        expect(
          sampleValue(samples, 'colis_queue_jobs', { queue, state }),
          `${queue} ${state}`,
        ).toBeGreaterThanOrEqual(0)
      }
    }
    expect(
      sampleValue(samples, 'colis_http_requests_total', {
        method: 'POST',
        route: '/v1/trackings',
        status: '201',
      }),
    ).toBe(4)
    expect(
      sampleValue(samples, 'colis_http_requests_total', {
        method: 'GET',
        route: '/v1/trackings/:id',
        status: '200',
      }),
    ).toBe(1)
    expect(
      sampleValue(samples, 'colis_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1)
    expect(
      sampleValue(samples, 'colis_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/trackings',
      }),
    ).toBe(4)
    // Route patterns only: a tracking id never becomes a label value.
    expect(
      samples.some((sample) => Object.values(sample.labels).some((value) => value.includes('trk_'))),
    ).toBe(false)
  })

  it('counts an open alert once, and no more once it is resolved by deleting its tracking', async () => {
    const yesterday = addCalendarDays(parisDateOf(Date.now()), -1)
    const before = sampleValue(await scrape(), 'colis_open_alerts', { type: 'late' }) ?? 0
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({
        trackingNumber: 'SBXSTALLED002',
        carrier: 'sandbox',
        promisedDeliveryDate: yesterday,
      }),
    })
    const { id } = (await created.json()) as { id: string }
    await eventually(
      async () => sampleValue(await scrape(), 'colis_open_alerts', { type: 'late' }),
      (count) => count === before + 1,
    )
    expect((await harness.request(key, `/v1/trackings/${id}`, { method: 'DELETE' })).status).toBe(204)
    expect(sampleValue(await scrape(), 'colis_open_alerts', { type: 'late' })).toBe(before)
  })
})

describe('GET /metrics with COLIS_METRICS_TOKEN', () => {
  let harness: Harness
  const token = 'metrics-token-0123456789'

  beforeAll(async () => {
    harness = await createHarness(
      'metrics-token',
      {},
      {},
      { metrics: createMetrics(), app: { metricsToken: token } },
    )
  })

  afterAll(async () => {
    await harness.close()
  })

  it('answers 401 problem+json without the token, 200 with it', async () => {
    const anonymous = await harness.app.request('/metrics')
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('content-type')).toBe('application/problem+json')
    expect(
      (await harness.app.request('/metrics', { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401)
    const scraped = await harness.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } })
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('colis_http_requests_total')
  })
})

describe('a worker process (COLIS_ROLE=worker)', () => {
  it('serves its own /metrics next to /healthz: poll and delivery counters, process metrics', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: testRedisUrl(),
      COLIS_REDIS_PREFIX: uniquePrefix('metrics-worker'),
      HOST: '127.0.0.1',
      PORT: '0',
    })
    const service = await startService(config, 'worker', createSilentLogger())
    try {
      const response = await fetch(`${service.url}/metrics`)
      expect(response.status).toBe(200)
      const text = await response.text()
      for (const name of [
        'colis_polls_total',
        'colis_webhook_deliveries_total',
        'process_cpu_seconds_total',
      ]) {
        expect(text).toContain(`# TYPE ${name}`)
      }
      // Queue depths and open alerts are the API's to report: one source, not one per worker.
      expect(text).not.toMatch(/^colis_queue_jobs\{/m)
    } finally {
      await service.stop()
    }
  })
})
