import { type BenchServer, startBenchRedis, startBenchServer } from '../api-load.js'
import { atLeast, atMost, type BenchOptions, type Figure, type FigureModule } from '../figure.js'
import { startOpenLoopProcess } from '../open-loop.js'
import { seedTimelines, TIMELINE_EVENTS } from '../seed-timelines.js'
import {
  CONNECTIONS,
  closedLoop,
  type Load,
  list,
  medianOf,
  medianP99Run,
  type OpenLoopRun,
  openLoopRuns,
  type Run,
  round,
  stalls,
} from '../server-runs.js'

const PREFIX = 'bench-page'
const BRANDING = {
  displayName: 'Maison Lumière',
  accentColor: '#0b6e4f',
  supportUrl: 'https://maison-lumiere.example/aide',
  supportEmail: 'aide@maison-lumiere.example',
  showOrderId: true,
}
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="32" viewBox="0 0 96 32"><rect width="96" height="32" rx="6" fill="#0b6e4f"/></svg>'

interface Round {
  page: Run
  api: Run
  ratio: number
}

export interface TrackingPageMeasurement {
  rounds: Round[]
  /** The round of median ratio. */
  median: Round
  at70Runs: OpenLoopRun[]
  pageBytes: number
  seconds: number
  openLoopSeconds: number
}

async function send(
  server: BenchServer,
  path: string,
  init: RequestInit & { headers: Record<string, string> },
) {
  const response = await fetch(`${server.url}${path}`, init)
  const body = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${body}`)
  return body
}

/**
 * The merchant's branding and logo set through the API, as a merchant would; the tracking's page path
 * and the page's bytes, checked to be the branded, delivered page with its whole timeline.
 */
async function brandAndOpen(server: BenchServer, key: string, id: string) {
  const auth = { authorization: `Bearer ${key}` }
  const json = { ...auth, 'content-type': 'application/json' }
  await send(server, '/v1/merchant/branding', {
    method: 'PUT',
    headers: json,
    body: JSON.stringify(BRANDING),
  })
  await send(server, '/v1/merchant/branding/logo', {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'image/svg+xml' },
    body: LOGO_SVG,
  })
  const tracking = JSON.parse(await send(server, `/v1/trackings/${id}`, { headers: auth })) as {
    trackingPageUrl: string
  }
  const pagePath = new URL(tracking.trackingPageUrl).pathname
  const page = await send(server, pagePath, { headers: {} })
  const rows = page.match(/étape \d+/g)?.length
  if (!page.includes(BRANDING.displayName) || !page.includes('/assets/logos/') || rows !== TIMELINE_EVENTS)
    throw new Error(`the page of ${id} is not the branded page with ${TIMELINE_EVENTS} scans`)
  return { pagePath, pageBytes: Buffer.byteLength(page) }
}

/**
 * GET /t/{token} vs GET /v1/trackings/{id} of the same delivered tracking on the same colis server, in
 * alternating rounds (which goes first alternating too), median ratio; then the page's p99 under an
 * open loop at 70 % of its own maximum, measured just before each of three runs.
 */
export async function measureTrackingPage(options: BenchOptions): Promise<TrackingPageMeasurement> {
  const seconds = options.quick ? 1 : 3
  const roundCount = options.quick ? 3 : 5
  const openLoopSeconds = options.quick ? 1 : 5
  const maxSeconds = options.quick ? 1 : 2
  const redis = await startBenchRedis()
  const closing: Array<{ close(): Promise<void> } | { stop(): Promise<void> }> = []
  try {
    const { key, ids } = await seedTimelines(redis.url, PREFIX, { parcels: 1, delivered: true })
    const id = ids[0] as string
    const colis = await startBenchServer('colis', { REDIS_URL: redis.url, COLIS_REDIS_PREFIX: PREFIX })
    closing.push(colis)
    const { pagePath, pageBytes } = await brandAndOpen(colis, key, id)
    // A browser's first visit: no If-None-Match, so the page is rendered every time.
    const pageLoad: Load = { url: `${colis.url}${pagePath}`, headers: {} }
    const apiLoad: Load = {
      url: `${colis.url}/v1/trackings/${id}`,
      headers: { authorization: `Bearer ${key}` },
    }
    await closedLoop(colis, pageLoad, 1, 'page warm-up')
    await closedLoop(colis, apiLoad, 1, 'API warm-up')
    const rounds: Round[] = []
    for (let index = 0; index < roundCount; index++) {
      const pageFirst = index % 2 === 0
      const first = await closedLoop(colis, pageFirst ? pageLoad : apiLoad, seconds, 'round')
      const second = await closedLoop(colis, pageFirst ? apiLoad : pageLoad, seconds, 'round')
      const [page, api] = pageFirst ? [first, second] : [second, first]
      rounds.push({ page, api, ratio: page.rps / api.rps })
    }
    const medianRatio = medianOf(rounds.map((one) => one.ratio))
    const median = rounds.find((one) => one.ratio === medianRatio) as Round

    const generator = await startOpenLoopProcess()
    closing.push(generator)
    const openLoop = openLoopRuns(generator, { path: pagePath, headers: {}, seconds: openLoopSeconds })
    await openLoop.warm(colis, Math.max(1, Math.round(median.page.rps * 0.5)))
    const at70Runs: OpenLoopRun[] = []
    for (let index = 0; index < 3; index++) {
      const maxNow = (await closedLoop(colis, pageLoad, maxSeconds, 'page, maximum before 70 %')).rps
      at70Runs.push(await openLoop.measure(colis, Math.max(1, Math.round(maxNow * 0.7))))
    }
    return { rounds, median, at70Runs, pageBytes, seconds, openLoopSeconds }
  } finally {
    for (const open of closing.reverse()) await ('close' in open ? open.close() : open.stop())
    await redis.stop()
  }
}

export const trackingPage: FigureModule = async (options): Promise<Figure[]> => {
  const m = await measureTrackingPage(options)
  const cpu = (run: Run) =>
    run.cpuUsPerRequest === undefined ? '' : `, ${round(run.cpuUsPerRequest)} µs server CPU/req`
  const at70 = medianP99Run(m.at70Runs)
  return [
    atLeast('tracking-page-ratio', round(m.median.page.rps), 'req/s', 0.5, {
      baseline: round(m.median.api.rps),
      ratio: round(m.median.ratio, 3),
      note: `GET /t/{token} (rendered each request, no If-None-Match; ${m.pageBytes}-byte page: delivered, ${TIMELINE_EVENTS} scans, merchant branding and logo, deadlines) vs. GET /v1/trackings/{id} of the same tracking on the same colis server (startService role api, private redis-server): median of ${m.rounds.length} alternating rounds of ${m.seconds}-s autocannon runs, ${CONNECTIONS} connections (ratios ${list(m.rounds, (one) => round(one.ratio, 2))}); median round ${round(m.median.page.rps)} req/s${cpu(m.median.page)} vs. ${round(m.median.api.rps)} req/s${cpu(m.median.api)}`,
    }),
    atMost('tracking-page-p99-at-70pct', round(at70.p99Ms, 2), 'ms', 20, {
      note: `open loop (bench/open-loop.ts) 3 runs of ${m.openLoopSeconds} s over ${CONNECTIONS} connections, each at 70 % of the page's maximum measured just before it (${list(m.at70Runs, (run) => run.rate)} req/s), the median run's p99 (runs: ${list(m.at70Runs, (run) => round(run.p99Ms, 1))} ms): achieved ${round(at70.achievedRate)} req/s, p50 ${round(at70.p50Ms, 2)} ms. ${stalls(m.at70Runs, 'colis')}`,
    }),
  ]
}
