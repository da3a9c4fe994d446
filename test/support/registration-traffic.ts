import { shardOfRegistration } from '../../src/store/shards.js'
import type { Harness } from './harness.js'

/** One API answer the traffic got: what was asked, when (ms, `performance.now()`), what came back. */
export interface TrafficAnswer {
  kind: 'register' | 'read' | 'list'
  startedAtMs: number
  endedAtMs: number
  status: number
  contentType: string | null
  /** The problem's `code` of an error answer. */
  code?: string
  /** The shard a registration or a read touches; a list touches them all. */
  shard?: number
  trackingNumber?: string
  trackingId?: string
}

export interface RegistrationTraffic {
  readonly answers: readonly TrafficAnswer[]
  /** Every registration colis acknowledged (200 or 201): its number and the id it answered. */
  readonly acknowledged: ReadonlyMap<string, string>
  /** Resolves once `until` accepts the answers so far; fails once the traffic has ended without it. */
  waitFor(what: string, until: (answers: readonly TrafficAnswer[]) => boolean): Promise<void>
  /** Stops the loops after their request in flight; resolves once they have. */
  stop(): Promise<void>
}

/** One line per answer for a failure message: what, which shard, what came back, when (ms after `sinceMs`), how long. */
export function describeAnswer(answer: TrafficAnswer, sinceMs: number): string {
  return (
    `${answer.kind} (shard ${answer.shard ?? 'all'}) ${answer.status} ${answer.code ?? ''} ` +
    `+${Math.round(answer.startedAtMs - sinceMs)} ms, in ${Math.round(answer.endedAtMs - answer.startedAtMs)} ms`
  )
}

/** Sandbox journeys (SBX + scenario + 3 digits): a thousand numbers each. */
const SCENARIOS = [
  'DELIVERED',
  'STALLED',
  'PICKUP',
  'REDELIVERED',
  'RETURNED',
  'CUSTOMS',
  'OUTOFORDER',
  'UNKNOWNCODE',
] as const
const NUMBERS_PER_SCENARIO = 1000
export const MAX_REGISTRATIONS = SCENARIOS.length * NUMBERS_PER_SCENARIO
/** One list of the newest trackings every this many registrations of a loop. */
const LIST_EVERY = 10
/** Which earlier registration a round reads back: a stride that visits them all, in no shard's order. */
const READ_STRIDE = 7919

function sandboxNumber(index: number): string {
  const scenario = SCENARIOS[Math.floor(index / NUMBERS_PER_SCENARIO) % SCENARIOS.length]
  return `SBX${scenario}${String(index % NUMBERS_PER_SCENARIO).padStart(3, '0')}`
}

/**
 * `loops` clients, each registering a new sandbox parcel through the API, reading it back at once,
 * reading an earlier one, and listing the newest trackings now and then, until stopped, `maxRegistrations` are done, or
 * `maxDurationMs` has passed. Every answer is kept with its timing and the shard it touched.
 */
export function startRegistrationTraffic(options: {
  harness: Harness
  key: string
  merchantId: string
  loops?: number
  maxRegistrations?: number
  maxDurationMs?: number
  /** Each loop starts a round at most this often (ms): a load that leaves the cluster CPU of its own. */
  roundEveryMs?: number
  /** The shopper's address a registration subscribes to milestone e-mails, if any. */
  notifyEmail?: (trackingNumber: string) => string | undefined
}): RegistrationTraffic {
  const { harness, key, merchantId } = options
  const shards = harness.config.COLIS_SHARDS
  const maxRegistrations = Math.min(options.maxRegistrations ?? MAX_REGISTRATIONS, MAX_REGISTRATIONS)
  const endsAtMs = performance.now() + (options.maxDurationMs ?? 60_000)
  const answers: TrafficAnswer[] = []
  const acknowledged = new Map<string, string>()
  const earlier: Array<Required<Pick<TrafficAnswer, 'shard' | 'trackingNumber' | 'trackingId'>>> = []
  let next = 0
  let stopped = false
  const running = () => !stopped && next < maxRegistrations && performance.now() < endsAtMs

  const ask = async (
    kind: TrafficAnswer['kind'],
    path: string,
    init: RequestInit,
    about: Pick<TrafficAnswer, 'shard' | 'trackingNumber' | 'trackingId'>,
  ): Promise<Record<string, unknown>> => {
    const startedAtMs = performance.now()
    const response = await harness.request(key, path, init)
    const text = await response.text()
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
    answers.push({
      kind,
      startedAtMs,
      endedAtMs: performance.now(),
      status: response.status,
      contentType: response.headers.get('content-type'),
      ...(response.status >= 400 ? { code: String(body.code) } : {}),
      ...about,
    })
    return response.status < 300 ? body : {}
  }

  const loop = async (loopIndex: number) => {
    for (let round = 1; running(); round++) {
      const roundStartedAtMs = performance.now()
      const trackingNumber = sandboxNumber(next++)
      const shard = shardOfRegistration({ merchantId, carrier: 'sandbox', trackingNumber }, shards)
      const registered = await ask(
        'register',
        '/v1/trackings',
        {
          method: 'POST',
          body: JSON.stringify({
            trackingNumber,
            carrier: 'sandbox',
            notifyEmail: options.notifyEmail?.(trackingNumber),
          }),
        },
        { shard, trackingNumber },
      )
      const trackingId = typeof registered.id === 'string' ? registered.id : undefined
      if (trackingId) {
        acknowledged.set(trackingNumber, trackingId)
        earlier.push({ shard, trackingNumber, trackingId })
        await ask('read', `/v1/trackings/${trackingId}`, {}, { shard, trackingNumber, trackingId })
      }
      // Reads go on whether registrations succeed or not: those of shards that take no writes too.
      const older = earlier[(round * READ_STRIDE + loopIndex) % earlier.length]
      if (older) await ask('read', `/v1/trackings/${older.trackingId}`, {}, older)
      if ((round + loopIndex) % LIST_EVERY === 0) await ask('list', '/v1/trackings?limit=20', {}, {})
      const roundLeftMs = roundStartedAtMs + (options.roundEveryMs ?? 0) - performance.now()
      if (roundLeftMs > 0 && running()) await new Promise((resolve) => setTimeout(resolve, roundLeftMs))
    }
  }
  const done = Promise.all(Array.from({ length: options.loops ?? 4 }, (_, index) => loop(index)))
  let ended = false
  void done.finally(() => {
    ended = true
  })

  return {
    answers,
    acknowledged,
    async waitFor(what, until) {
      while (!until(answers)) {
        if (ended) throw new Error(`traffic ended (${answers.length} answers) before ${what}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async stop() {
      stopped = true
      await done
    },
  }
}

type TrackingBody = {
  id: string
  trackingNumber: string
  events?: Array<{ id: string; code: string; occurredAt: string; location?: { city?: string } }>
}
type ListBody = { data: Array<{ id: string }>; nextCursor: string | null }

/** Requests at once while reading back: enough to be quick, few enough not to crowd the machine. */
const READ_BACK_CONCURRENCY = 16

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += READ_BACK_CONCURRENCY)
    await Promise.all(items.slice(start, start + READ_BACK_CONCURRENCY).map(each))
}

/** The same scan twice (same code, same instant, same place) in one timeline. */
function doubledEvents(events: NonNullable<TrackingBody['events']>): string[] {
  const seen = new Set<string>()
  const doubled: string[] = []
  for (const event of events) {
    const identity = `${event.code}@${Date.parse(event.occurredAt)}@${event.location?.city ?? ''}`
    if (seen.has(identity) || seen.has(event.id)) doubled.push(identity)
    seen.add(identity)
    seen.add(event.id)
  }
  return doubled
}

/** How often a registration answered 503 is sent again when the caller allows it, the first after RETRY_AFTER_MS, each next twice as late. */
const RETRIES_OF_UNAVAILABLE = 4
const RETRY_AFTER_MS = 250

/**
 * Fails unless every acknowledged registration is still there: read by id (its timeline without a
 * doubled event), registered again as the same tracking (200), and listed exactly once when the
 * merchant's trackings are paged through across every shard. With `retryUnavailable`, a registration
 * answered 503 `redis_unavailable` is sent again, as a client is told to (a replica that did not
 * confirm it within REDIS_WAIT_TIMEOUT): how many were is in `retried`.
 */
export async function readBackEveryRegistration(
  harness: Harness,
  key: string,
  acknowledged: ReadonlyMap<string, string>,
  options: { retryUnavailable?: boolean } = {},
): Promise<{ retried: number }> {
  const problems: string[] = []
  let retried = 0
  const registerAgain = async (trackingNumber: string) => {
    for (let attempt = 0; ; attempt++) {
      const answer = await harness.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber, carrier: 'sandbox' }),
      })
      const body = (await answer.json()) as Partial<TrackingBody> & { code?: string }
      const unavailable = answer.status === 503 && body.code === 'redis_unavailable'
      if (!unavailable || !options.retryUnavailable || attempt === RETRIES_OF_UNAVAILABLE)
        return { status: answer.status, body }
      retried++
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS * 2 ** attempt))
    }
  }
  await inBatches([...acknowledged], async ([trackingNumber, id]) => {
    const read = await harness.request(key, `/v1/trackings/${id}`)
    if (read.status !== 200) {
      problems.push(`${trackingNumber} (${id}): read answered ${read.status}`)
      return
    }
    const body = (await read.json()) as TrackingBody
    if (body.trackingNumber !== trackingNumber) problems.push(`${id} reads as ${body.trackingNumber}`)
    const doubled = doubledEvents(body.events ?? [])
    if (doubled.length > 0) problems.push(`${trackingNumber} (${id}): doubled events ${doubled.join(', ')}`)
    const again = await registerAgain(trackingNumber)
    if (again.status !== 200 || again.body.id !== id)
      problems.push(
        `${trackingNumber} registered again: ${again.status} ${again.body.id ?? again.body.code} instead of 200 ${id}`,
      )
  })
  const listed: string[] = []
  let cursor: string | null = null
  do {
    const page = await harness.request(
      key,
      `/v1/trackings?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    )
    if (page.status !== 200) throw new Error(`listing answered ${page.status}: ${await page.text()}`)
    const body = (await page.json()) as ListBody
    listed.push(...body.data.map((tracking) => tracking.id))
    cursor = body.nextCursor
  } while (cursor)
  const expected = [...acknowledged.values()]
  const listedOnce = new Set(listed)
  if (listedOnce.size !== listed.length) problems.push(`${listed.length - listedOnce.size} listed twice`)
  const unlisted = expected.filter((id) => !listedOnce.has(id))
  if (unlisted.length > 0) problems.push(`not listed: ${unlisted.join(', ')}`)
  if (problems.length > 0)
    throw new Error(`${problems.length} of ${acknowledged.size} registrations wrong:\n${problems.join('\n')}`)
  return { retried }
}
