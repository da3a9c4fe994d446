import { Queue, QueueEvents } from 'bullmq'
import { load } from 'cheerio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CARRIER_REPORT_COLUMNS } from '../../src/carrier-report-csv.js'
import { parseCsv } from '../../src/csv.js'
import { reportWeekOf } from '../../src/domain/analytics/carrier-report.js'
import { countOf } from '../../src/domain/analytics/histogram.js'
import { createSilentLogger } from '../../src/logger.js'
import { createCarriers } from '../../src/main/policies.js'
import { createTrackingStore } from '../../src/main/stores.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createWebhookStore } from '../../src/store/webhook-store.js'
import { createGuardedDispatcher, parseAllowedCidrs } from '../../src/webhooks/egress-guard.js'
import type { CarrierPoller } from '../../workers/carrier-poller.js'
import { startDeliveryWorker } from '../../workers/delivery-queue.js'
import {
  bullPrefix,
  DELIVERY_QUEUE,
  type DeliveryJobData,
  type PollJobData,
  pollQueueName,
} from '../../workers/jobs.js'
import { type RelayOptions, startOutboxRelay } from '../../workers/relay-outbox.js'
import type { CarrierReportBody, CarrierReportRow } from '../support/carrier-report-body.js'
import { runColis } from '../support/cli.js'
import { dashboardBrowser } from '../support/dashboard-browser-session.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { untilOutboxDrained, untilQueueIdle } from '../support/idle.js'
import { testConnections, testRedisUrl } from '../support/redis.js'
import { startSandboxPoller } from '../support/sandbox-poller.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const MERCHANT = 'shop-scorecard'
const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/**
 * One simulated hour in 15 ms: the longest journey (RETURNED, 96 simulated hours) ends in under a
 * second and a half, and scans from 67 simulated hours on fall in a later second than the registration
 * (the sandbox writes times to the second), so they have a reporting lag. A parcel with nothing new
 * for 120 simulated hours (1.8 s) expires: well past the longest gap between two scans of a journey
 * (26 hours, PICKUP), polls every 100 ms included.
 */
const ENV = {
  ...FAST_SANDBOX_POLLING,
  SANDBOX_TIME_SCALE: '240000',
  SANDBOX_RATE_LIMIT: '1000/1s',
  POLL_EXPIRE_AFTER: '120h',
  WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
}

/** The Paris date of an instant, worked out here without colis' calendar code. */
const parisDate = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Paris',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(ms)

interface Parcel {
  number: string
  postalCode: string
  /** The promised delivery date, in days after the registration's Paris date: -1 is late, 1 on time. */
  promisedInDays?: number
}

/** The sandbox's journeys (adapters/sandbox/scenarios.ts), the digits picking the destination city. */
const PARCELS: Parcel[] = [
  { number: 'SBXDELIVERED000', postalCode: '33000', promisedInDays: 1 },
  { number: 'SBXDELIVERED001', postalCode: '13002', promisedInDays: -1 },
  { number: 'SBXPICKUP002', postalCode: '59000', promisedInDays: 1 },
  { number: 'SBXREDELIVERED003', postalCode: '44000', promisedInDays: -1 },
  { number: 'SBXRETURNED004', postalCode: '31000', promisedInDays: 1 },
  { number: 'SBXCUSTOMS005', postalCode: '33000', promisedInDays: 1 },
  { number: 'SBXOUTOFORDER006', postalCode: '13002' },
  { number: 'SBXSTALLED007', postalCode: '59000' },
  { number: 'SBXUNKNOWNCODE008', postalCode: '44000', promisedInDays: 1 },
]

interface TrackingView {
  id: string
  status: string
  createdAt: string
  promisedDeliveryDate?: string
  destinationPostalCode?: string
  pollingStopped?: string
  lastCheckedAt?: string
  events: Array<{ id: string; occurredAt: string; status: string }>
}

/** What one finished parcel adds, read off its final timeline as the issue defines each figure. */
function expectedOf(view: TrackingView, promised: string | undefined) {
  const instant = (event: { occurredAt: string }) => Date.parse(event.occurredAt)
  const events = [...view.events].sort((a, b) => instant(a) - instant(b))
  const outcome =
    view.status === 'delivered' ? 'delivered' : view.status === 'returned_to_sender' ? 'returned' : 'expired'
  const delivery = outcome === 'delivered' ? events.find((event) => event.status === 'delivered') : undefined
  const before =
    delivery === undefined
      ? []
      : events.filter((event) => event.status !== 'delivered' && instant(event) <= instant(delivery))
  return {
    outcome,
    onTime:
      delivery === undefined || promised === undefined ? undefined : parisDate(instant(delivery)) <= promised,
    firstAttempt:
      delivery === undefined ? undefined : !before.some((event) => event.status === 'failed_attempt'),
    atPickupPoint: delivery !== undefined && before.at(-1)?.status === 'available_for_pickup',
    exception: events.some((event) => event.status === 'exception'),
    /** Events that occurred at or after registration: each has a reporting lag. */
    laggedEvents: events.filter((event) => instant(event) >= Date.parse(view.createdAt)),
  }
}

type Expected = ReturnType<typeof expectedOf>

const share = (yes: number, of: number) => (of === 0 ? undefined : yes / of)

function expectedRow(group: string, parcels: readonly Expected[]) {
  const delivered = parcels.filter((parcel) => parcel.outcome === 'delivered')
  const promised = delivered.filter((parcel) => parcel.onTime !== undefined)
  const returned = parcels.filter((parcel) => parcel.outcome === 'returned').length
  return {
    group,
    parcels: parcels.length,
    delivered: delivered.length,
    returned,
    expired: parcels.filter((parcel) => parcel.outcome === 'expired').length,
    onTime: {
      rate: share(promised.filter((parcel) => parcel.onTime).length, promised.length),
      sample: promised.length,
    },
    firstAttempt: {
      rate: share(delivered.filter((parcel) => parcel.firstAttempt).length, delivered.length),
      sample: delivered.length,
    },
    pickupShare: share(delivered.filter((parcel) => parcel.atPickupPoint).length, delivered.length),
    returnRate: share(returned, parcels.length),
    exceptionRate: share(parcels.filter((parcel) => parcel.exception).length, parcels.length),
  }
}

type ExpectedRow = ReturnType<typeof expectedRow>

function expectRow(row: CarrierReportRow | undefined, expected: ExpectedRow) {
  expect(row).toMatchObject({
    group: expected.group,
    parcels: expected.parcels,
    delivered: expected.delivered,
    returned: expected.returned,
    expired: expected.expired,
    onTime: { sample: expected.onTime.sample },
    firstAttempt: { sample: expected.firstAttempt.sample },
  })
  const close = (actual: number | undefined, wanted: number | undefined) =>
    wanted === undefined ? expect(actual).toBeUndefined() : expect(actual).toBeCloseTo(wanted, 9)
  close(row?.onTime.rate, expected.onTime.rate)
  close(row?.firstAttempt.rate, expected.firstAttempt.rate)
  close(row?.pickup.share, expected.pickupShare)
  close(row?.returnRate, expected.returnRate)
  close(row?.exceptionRate, expected.exceptionRate)
}

/** The CSV fields of a row's counts and rates, in CARRIER_REPORT_COLUMNS' names. */
function csvFieldsOf(expected: ExpectedRow): Record<string, string> {
  const number = (value: number | undefined) => (value === undefined ? '' : String(Number(value.toFixed(6))))
  return {
    group: expected.group,
    parcels: number(expected.parcels),
    delivered: number(expected.delivered),
    returned: number(expected.returned),
    expired: number(expected.expired),
    onTimeRate: number(expected.onTime.rate),
    onTimeSample: number(expected.onTime.sample),
    firstAttemptRate: number(expected.firstAttempt.rate),
    firstAttemptSample: number(expected.firstAttempt.sample),
    pickupShare: number(expected.pickupShare),
    returnRate: number(expected.returnRate),
    exceptionRate: number(expected.exceptionRate),
  }
}

/** The table cells `colis analytics` prints for a row's counts and rates, by column. */
function tableCellsOf(expected: ExpectedRow): Record<number, string> {
  const percent = (rate: number | undefined) => (rate === undefined ? '-' : `${(rate * 100).toFixed(1)}%`)
  return {
    0: expected.group,
    1: String(expected.parcels),
    2: String(expected.delivered),
    3: String(expected.returned),
    4: String(expected.expired),
    5: percent(expected.onTime.rate),
    6: String(expected.onTime.sample),
    11: percent(expected.firstAttempt.rate),
    12: String(expected.firstAttempt.sample),
    13: percent(expected.pickupShare),
    15: percent(expected.returnRate),
    16: percent(expected.exceptionRate),
  }
}

/**
 * Sandbox parcels with promises, registered through the API and polled by the real poll workers until
 * each is finished: the scorecard's counts and rates, through the API (JSON and CSV) and the command
 * line, are those worked out here from each parcel's final timeline, and replaying polls and outbox
 * entries changes none of them.
 */
describe('the carrier scorecard of sandbox journeys', () => {
  const { connect, quitAll } = testConnections()
  const logger = createSilentLogger()
  let harness: Harness
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
  let poller: CarrierPoller | undefined
  let carriers: ReturnType<typeof createCarriers>
  let key: string
  let subscribedTypes: string[]

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    harness = await createHarness('scorecard', ENV)
    key = (await harness.apiKeys.create(MERCHANT)).key
    const subscribed = await harness.request(key, '/v1/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url }),
    })
    expect(subscribed.status, await subscribed.clone().text()).toBe(201)
    subscribedTypes = ((await subscribed.json()) as { events: string[] }).events
    // The poll workers alone, as `startWorkers` builds them: the outbox stays unread until the test
    // replays it below.
    const { config } = harness
    carriers = createCarriers(config, logger)
    const adapter = carriers.get('sandbox')
    if (!adapter) throw new Error('no sandbox carrier')
    poller = await startSandboxPoller({
      config,
      carriers,
      adapter,
      connect,
      store: createTrackingStore(connect(), config.COLIS_REDIS_PREFIX),
      shards: () => [0],
      logger,
    })
  })

  afterAll(async () => {
    await poller?.stop()
    await carriers?.close()
    await harness?.close()
    await receiver?.close()
    await quitAll()
  })

  const get = async (path: string, accept = 'application/json') => {
    const response = await harness.request(key, path, { headers: { accept } })
    expect(response.status, await response.clone().text()).toBe(200)
    return response
  }
  const colis = (args: string[]) =>
    runColis(['analytics', '--merchant', MERCHANT, ...args], {
      env: { REDIS_URL: testRedisUrl(), COLIS_REDIS_PREFIX: harness.config.COLIS_REDIS_PREFIX },
    })

  it('agrees with the final timelines through the API, its CSV, the CLI and the dashboard, and replays change no count', async () => {
    const startedAtMs = Date.now()
    const today = parisDate(startedAtMs)
    const promisedOf = new Map<string, string | undefined>()
    const ids: string[] = []
    for (const parcel of PARCELS) {
      const promised =
        parcel.promisedInDays === undefined
          ? undefined
          : parisDate(startedAtMs + parcel.promisedInDays * DAY_MS)
      const response = await harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({
          trackingNumber: parcel.number,
          carrier: 'sandbox',
          destinationPostalCode: parcel.postalCode,
          ...(promised === undefined ? {} : { promisedDeliveryDate: promised }),
        }),
      })
      expect(response.status, await response.clone().text()).toBe(201)
      const { id } = (await response.json()) as { id: string }
      ids.push(id)
      promisedOf.set(id, promised)
    }

    const viewsNow = () =>
      Promise.all(ids.map(async (id) => (await (await get(`/v1/trackings/${id}`)).json()) as TrackingView))
    const finished = await eventually(
      viewsNow,
      (views) => views.every((view) => view.pollingStopped !== undefined),
      15_000,
    )
    const finishedSeenAtMs = Date.now()
    const expected = finished.map((view) => expectedOf(view, promisedOf.get(view.id)))
    // Every kind of journey the scorecard tells apart is there.
    expect(expected.map((parcel) => parcel.outcome)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'returned',
      'expired',
      'delivered',
      'expired',
      'delivered',
    ])
    expect(expected.map((parcel) => parcel.onTime)).toEqual([
      true,
      false,
      true,
      false,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    ])
    expect(expected.map((parcel) => parcel.firstAttempt)).toEqual([
      true,
      true,
      false,
      false,
      undefined,
      undefined,
      true,
      undefined,
      true,
    ])
    expect(expected.map((parcel) => parcel.atPickupPoint).filter(Boolean)).toHaveLength(1)
    expect(expected.map((parcel) => parcel.exception).filter(Boolean)).toHaveLength(1)

    const weeks = `from=${today}&to=${parisDate(finishedSeenAtMs)}`
    const totals = expectedRow('*', expected)
    const byDestination = [...new Set(PARCELS.map((parcel) => `FR-${parcel.postalCode.slice(0, 2)}`))]
      .sort()
      .map((group) =>
        expectedRow(
          group,
          expected.filter((_, index) => `FR-${PARCELS[index]?.postalCode.slice(0, 2)}` === group),
        ),
      )

    const readAll = async () => ({
      byCarrier: (await (await get(`/v1/analytics/carriers?${weeks}`)).json()) as CarrierReportBody,
      byDestination: (await (
        await get(`/v1/analytics/carriers?${weeks}&groupBy=destination`)
      ).json()) as CarrierReportBody,
      csv: await (await get(`/v1/analytics/carriers?${weeks}&groupBy=destination`, 'text/csv')).text(),
      table: await colis(['--from', today, '--to', parisDate(finishedSeenAtMs)]),
      cliCsv: await colis([
        '--from',
        today,
        '--to',
        parisDate(finishedSeenAtMs),
        '--group-by',
        'destination',
        '--csv',
      ]),
    })
    const before = await readAll()

    // JSON, by carrier and by destination.
    expect(before.byCarrier.rows.map((row) => row.group)).toEqual(['sandbox'])
    expectRow(before.byCarrier.rows[0], { ...totals, group: 'sandbox' })
    expectRow(before.byCarrier.totals, totals)
    expect(before.byDestination.rows.map((row) => row.group)).toEqual(byDestination.map((row) => row.group))
    for (const [index, row] of byDestination.entries()) expectRow(before.byDestination.rows[index], row)
    expectRow(before.byDestination.totals, totals)

    // CSV, read column by column.
    const [header, ...records] = parseCsv(before.csv, { separator: ',' }).records.map(
      (record) => record.fields,
    )
    expect(header).toEqual([...CARRIER_REPORT_COLUMNS])
    const csvRows = records.map((fields) =>
      Object.fromEntries(CARRIER_REPORT_COLUMNS.map((column, index) => [column, fields[index]])),
    )
    expect(csvRows).toHaveLength(byDestination.length + 1)
    for (const [index, row] of [...byDestination, totals].entries()) {
      expect(csvRows[index]).toMatchObject(csvFieldsOf(row))
    }

    // The command line: the same CSV to the byte, and a table of the same figures.
    expect(before.cliCsv.code, before.cliCsv.stderr).toBe(0)
    expect(before.cliCsv.stdout).toBe(before.csv)
    expect(before.table.code, before.table.stderr).toBe(0)
    const lines = before.table.stdout.trimEnd().split('\n').slice(2)
    expect(lines).toHaveLength(2)
    lines.forEach((line, index) => {
      const cells = line.split(/\s+/)
      const wanted = tableCellsOf(index === 0 ? { ...totals, group: 'sandbox' } : totals)
      for (const [column, cell] of Object.entries(wanted))
        expect(cells[Number(column)], `column ${column}`).toBe(cell)
    })

    // The dashboard: the same figures, on the page the merchant signs in to with the same key.
    const dashboard = dashboardBrowser(harness.app)
    expect((await dashboard.signIn(key)).status).toBe(303)
    const page = load(await (await dashboard.get('/dashboard?lang=en')).text())
    const scorecard = page('section[aria-labelledby="scorecard-heading"] tbody tr')
      .map((_, row) => [
        [
          page(row).find('th').text(),
          ...page(row)
            .find('td')
            .map((__, cell) => page(cell).text())
            .get(),
        ],
      ])
      .get() as string[][]
    const written = ({ rate, sample }: { rate: number | undefined; sample: number }) =>
      rate === undefined ? '—' : `${Math.round(rate * 100)}% (${sample} parcels)`
    expect(scorecard.map((row) => row.slice(0, 4).concat(row[6] ?? ''))).toEqual(
      [totals, totals].map((row, index) => [
        index === 0 ? 'Sandbox (simulated journeys)' : 'All',
        String(row.parcels),
        String(row.delivered),
        written(row.onTime),
        written(row.firstAttempt),
      ]),
    )

    // Reporting lags: one per event that occurred at or after registration, every one of them stored
    // before the test saw its parcel finished, so under a quarter of an hour: all in the first hour
    // bucket, whose values are read as spread evenly across it.
    const lagged = expected.flatMap((parcel) => parcel.laggedEvents)
    expect(lagged.length).toBeGreaterThan(0)
    const longestLagHours =
      Math.max(...lagged.map((event) => finishedSeenAtMs - Date.parse(event.occurredAt))) / HOUR_MS
    expect(longestLagHours).toBeLessThan(0.25)
    const cells = await harness.analytics.cells(
      MERCHANT,
      reportWeekOf(today),
      reportWeekOf(parisDate(finishedSeenAtMs)),
    )
    expect(cells.reduce((total, { summary }) => total + countOf(summary.reportingLag), 0)).toBe(lagged.length)
    expect(before.byCarrier.totals.reportingLagHours.p50).toBeCloseTo(0.125, 9)
    expect(before.byCarrier.totals.reportingLagHours.p95).toBeCloseTo(0.2375, 9)

    // Replayed polls: each parcel's last poll job run again, through the poll queue.
    const prefix = bullPrefix(harness.config)
    const pollQueue = new Queue<PollJobData>(pollQueueName('sandbox'), { connection: connect(), prefix })
    const pollEvents = new QueueEvents(pollQueueName('sandbox'), { connection: connect(), prefix })
    try {
      await pollEvents.waitUntilReady()
      const completed = (await pollQueue.getCompleted(0, -1)).sort(
        (a, b) => (a.finishedOn ?? 0) - (b.finishedOn ?? 0),
      )
      const lastJobOf = new Map<string, PollJobData>()
      for (const job of completed) for (const id of job.data.ids) lastJobOf.set(id, job.data)
      expect([...lastJobOf.keys()].sort()).toEqual([...ids].sort())
      for (const [id, data] of lastJobOf) {
        const job = await pollQueue.add('poll', data, { jobId: `replay-${id}` })
        await job.waitUntilFinished(pollEvents, 10_000)
      }
    } finally {
      await pollEvents.close()
      await pollQueue.close()
    }
    const replayed = await viewsNow()
    replayed.forEach((view, index) => {
      const was = finished[index] as TrackingView
      expect(Date.parse(view.lastCheckedAt ?? '')).toBeGreaterThan(Date.parse(was.lastCheckedAt ?? ''))
      expect(view.status).toBe(was.status)
      expect(view.events.map((event) => event.id)).toEqual(was.events.map((event) => event.id))
    })
    expect(await (await get(`/v1/analytics/carriers?${weeks}&groupBy=destination`, 'text/csv')).text()).toBe(
      before.csv,
    )

    // Replayed outbox entries: a relay reads every entry, makes its deliveries and dies before
    // acknowledging any; another takes them over and handles each again (test/integration/outbox-crash).
    const keys = createRedisKeys(harness.config.COLIS_REDIS_PREFIX)
    const outbox = connect()
    const entries = await outbox.xlen(keys.outbox(0))
    const notified = (await outbox.xrange(keys.outbox(0), '-', '+')).filter(([, fields]) =>
      subscribedTypes.includes((JSON.parse(fields[1] ?? '{}') as { type?: string }).type ?? ''),
    ).length
    expect(notified).toBeGreaterThan(0)
    const webhooks = createWebhookStore(connect(), harness.config.COLIS_REDIS_PREFIX)
    const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, { connection: connect(), prefix })
    const dispatcher = createGuardedDispatcher({
      allowed: parseAllowedCidrs('127.0.0.1/32'),
      timeoutMs: 5000,
    })
    const deliver = { webhooks, dispatcher, timeoutMs: 5000, disableAfterMs: 60_000, attempts: 3, logger }
    const relay = (consumer: string, claimIdleMs: number, fault?: RelayOptions['fault']) =>
      startOutboxRelay({
        redis: connect(),
        outboxKey: keys.outbox,
        webhooks,
        queue: deliveries,
        logger,
        consumer,
        claimIdleMs,
        blockMs: 100,
        firstAttempts: { deps: deliver, slots: 100, retryFactor: 0.001 },
        ...(fault ? { fault } : {}),
      })
    const crashes: string[] = []
    const doomed = relay('doomed', 60_000, async (at, entryId) => {
      if (at !== 'before-ack') return
      crashes.push(entryId)
      throw new Error('relay died before acknowledging')
    })
    const pending = async () =>
      ((await outbox.xpending(keys.outbox(0), 'relay').catch(() => [0])) as [number])[0]
    await eventually(pending, (count) => count === entries)
    await doomed.stop()
    expect(crashes.length).toBeGreaterThan(0)
    expect(await pending()).toBe(entries)
    const deliveryWorker = startDeliveryWorker({
      queue: deliveries,
      connect,
      queuePrefix: () => prefix,
      logger,
      concurrency: 20,
      retryFactor: 0.001,
      deliver,
    })
    const survivor = relay('survivor', 100)
    try {
      await untilOutboxDrained(outbox, keys.outbox(0))
      await untilQueueIdle(deliveries)
    } finally {
      await survivor.stop()
      await deliveryWorker.close()
      await deliveries.close()
      await dispatcher.close()
    }
    // Each entry was handled twice, and each one the endpoint listens to delivered once.
    const webhookIds = receiver.received.map((request) => String(request.headers['webhook-id']))
    expect(webhookIds).toHaveLength(notified)
    expect(new Set(webhookIds).size).toBe(notified)

    const after = await readAll()
    expect(after.byCarrier).toEqual(before.byCarrier)
    expect(after.byDestination).toEqual(before.byDestination)
    expect(after.csv).toBe(before.csv)
    expect(after.table.stdout).toBe(before.table.stdout)
    expect(after.cliCsv.stdout).toBe(before.cliCsv.stdout)
  })
})
