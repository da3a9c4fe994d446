import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** The BullMQ states a queue's depth is reported in. */
export const QUEUE_STATES = ['waiting', 'delayed', 'active', 'failed'] as const
export type QueueState = (typeof QUEUE_STATES)[number]

export interface QueueDepth {
  queue: string
  counts: Partial<Record<QueueState, number>>
}

export interface MetricsOptions {
  /** Node.js process metrics (CPU, memory, event loop lag, GC): on for a server, off in tests. */
  processMetrics?: boolean
  /** How long a scrape waits for Redis (queue depths, open alerts) before leaving them out (ms). */
  sourceTimeoutMs?: number
}

/** Distinct (carrier, code) label pairs kept for unknown codes; later ones are counted as `other`. */
const MAX_UNKNOWN_CODE_SERIES = 500
const MAX_CODE_LENGTH = 40
const DEFAULT_SOURCE_TIMEOUT_MS = 2_000

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Every Prometheus metric colis exposes, on a registry of its own (never prom-client's global one),
 * so two apps in one test process do not share counters. API and worker processes each fill the
 * part they know; the gauges read from Redis (queue depths, open alerts) are read at scrape time.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry })
  const sourceTimeoutMs = options.sourceTimeoutMs ?? DEFAULT_SOURCE_TIMEOUT_MS
  const registers = [registry]

  const polls = new Counter({
    name: 'colis_polls_total',
    help: 'Trackings polled, by carrier and outcome (ok, or the carrier error kind)',
    labelNames: ['carrier', 'outcome'] as const,
    registers,
  })
  const pollDuration = new Histogram({
    name: 'colis_poll_duration_seconds',
    help: 'Duration of one carrier request (one poll job, up to the carrier batch size of trackings)',
    labelNames: ['carrier'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30],
    registers,
  })
  const carrierErrors = new Counter({
    name: 'colis_carrier_errors_total',
    help: 'Carrier failures by carrier and kind (not_found, invalid_number, rate_limited, unavailable, unauthorized, unexpected_response)',
    labelNames: ['carrier', 'kind'] as const,
    registers,
  })
  const unknownCodes = new Counter({
    name: 'colis_unknown_carrier_codes_total',
    help: 'Carrier event codes missing from the code table (mapped to unknown), by carrier and code',
    labelNames: ['carrier', 'code'] as const,
    registers,
  })
  const webhookDeliveries = new Counter({
    name: 'colis_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (delivered, retry, gone, failed)',
    labelNames: ['outcome'] as const,
    registers,
  })
  const webhookDuration = new Histogram({
    name: 'colis_webhook_delivery_duration_seconds',
    help: 'Duration of one webhook delivery attempt, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers,
  })
  const httpRequests = new Counter({
    name: 'colis_http_requests_total',
    help: 'API requests by method, route (the route pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  })
  const httpDuration = new Histogram({
    name: 'colis_http_request_duration_seconds',
    help: 'API request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  })
  const rateLimited = new Counter({
    name: 'colis_rate_limited_total',
    help: 'Requests refused with 429, by limit (api_key, failed_auth)',
    labelNames: ['limit'] as const,
    registers,
  })
  let readQueues: (() => Promise<QueueDepth[]>) | undefined
  let readOpenAlerts: (() => Promise<Record<string, number>>) | undefined
  /** The reads of the scrape under way: the error counter, collected after them, waits for them. */
  const readings: Array<Promise<unknown>> = []
  const read = <T>(source: () => Promise<T>) => {
    const reading = withTimeout(source(), sourceTimeoutMs)
    readings.push(reading.catch(() => undefined))
    return reading
  }

  new Gauge({
    name: 'colis_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (waiting, delayed, active, failed), read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset()
      if (!readQueues) return
      try {
        for (const { queue, counts } of await read(readQueues)) {
          for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0)
        }
      } catch {
        sourceErrors.inc({ source: 'queue_depths' })
      }
    },
  })
  new Gauge({
    name: 'colis_open_alerts',
    help: 'Open delay alerts by type, every merchant together, read at scrape time',
    labelNames: ['type'] as const,
    registers,
    async collect() {
      this.reset()
      if (!readOpenAlerts) return
      try {
        for (const [type, count] of Object.entries(await read(readOpenAlerts))) {
          this.set({ type }, count)
        }
      } catch {
        sourceErrors.inc({ source: 'open_alerts' })
      }
    },
  })

  // Registered after the gauges, so that a scrape reports the errors of its own reads.
  const sourceErrors = new Counter({
    name: 'colis_metrics_source_errors_total',
    help: 'Scrapes that could not read a source from Redis in time (queue_depths, open_alerts)',
    labelNames: ['source'] as const,
    registers,
    async collect() {
      await Promise.all(readings.splice(0))
    },
  })

  const unknownSeries = new Set<string>()

  return {
    registry,
    polls,
    pollDuration,
    carrierErrors,
    webhookDeliveries,
    webhookDuration,
    httpRequests,
    httpDuration,
    rateLimited,
    /** Counts a code missing from a carrier's table; label values are capped so a carrier cannot explode them. */
    countUnknownCode(carrier: string, code: string) {
      let label = code.slice(0, MAX_CODE_LENGTH)
      const series = `${carrier}\u0000${label}`
      if (!unknownSeries.has(series)) {
        if (unknownSeries.size >= MAX_UNKNOWN_CODE_SERIES) label = 'other'
        else unknownSeries.add(series)
      }
      unknownCodes.inc({ carrier, code: label })
    },
    /** Where queue depths are read from at scrape time (an API process sets it). */
    watchQueues(read: () => Promise<QueueDepth[]>) {
      readQueues = read
    },
    /** Where open alert counts by type are read from at scrape time (an API process sets it). */
    watchOpenAlerts(read: () => Promise<Record<string, number>>) {
      readOpenAlerts = read
    },
    /** The exposition text and its content type, for `GET /metrics`. */
    async render(): Promise<{ contentType: string; body: string }> {
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
