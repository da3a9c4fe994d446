import { loadConfig } from '../../src/config.js'
import { nextPollDelayMs, type PollPolicy, type PollState } from '../../src/domain/poll-schedule.js'
import { seededRandom } from '../../src/domain/seeded-random.js'
import { pollCalendarFrom, pollPolicyFrom } from '../../src/main/policies.js'
import { atMost, type BenchOptions, type Figure, type FigureModule } from '../figure.js'
import {
  CODE,
  dayNumberOfDate,
  generateJourneys,
  isScanDay,
  type Journeys,
  parisInstant,
  STATUS_CODES,
} from './freshness-journeys.js'

/**
 * Freshness at a fixed carrier budget (figure 6): a virtual-clock simulation of colis' real poll policy
 * (`nextPollDelayMs` of src/domain/poll-schedule.ts, called with the simulated time) against fixed-interval
 * round-robin at the same budget. Each simulated minute, the budget (requests × ids per request) goes to
 * the parcels due earliest, as dispatch-due claims them; a poll reveals every event that happened by
 * then; the parcel is rescheduled by the policy; delivered parcels stop.
 */

const MINUTE_MS = 60_000
const DAY_MS = 86_400_000
/** La Poste's tighter quota: 100 requests per minute, 10 ids per request. */
const REQUESTS_PER_MINUTE = 100
const IDS_PER_REQUEST = 10
const ACTIVE_FULL = 100_000
const ACTIVE_QUICK = 10_000
/** Monday 23 March 2026, Paris: the measured week runs Tuesday 24 → Tuesday 31 March (DST on the 29th). */
const START_DATE = '2026-03-23'
const HISTORY_DAYS = 14
const MEASURED_FROM_DAY = 1
const MEASURED_DAYS = 7
/** Events of the measured week still unseen this long after it are counted at the end of the run. */
const TAIL_DAYS = 2
const MEASURED = [CODE.out_for_delivery, CODE.delivered] as const

type Scheduler = 'adaptive' | 'fixed'

interface Latencies {
  /** Per measured status code: minutes between the event and the poll that revealed it. */
  byStatus: Map<number, number[]>
  polls: number
  /** Polls made during the measured week's delivery rounds (07:00–10:00 on scan days), and the budget then. */
  roundPolls: number
  roundBudget: number
  activeSum: number
  activeSamples: number
  /** Polls that revealed at least one new event, and the events colis already knew at each poll. */
  newsPolls: number
  knownEventsSum: number
}

/** Min-heap of (due time, parcel), the `due` sorted set of the store. */
class DueHeap {
  private due: Float64Array
  private ids: Int32Array
  size = 0
  constructor(capacity: number) {
    this.due = new Float64Array(capacity)
    this.ids = new Int32Array(capacity)
  }
  topDue(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.due[0] as number)
  }
  push(due: number, id: number) {
    let index = this.size++
    while (index > 0) {
      const parent = (index - 1) >> 1
      if ((this.due[parent] as number) <= due) break
      this.due[index] = this.due[parent] as number
      this.ids[index] = this.ids[parent] as number
      index = parent
    }
    this.due[index] = due
    this.ids[index] = id
  }
  pop(): number {
    const top = this.ids[0] as number
    const lastDue = this.due[--this.size] as number
    const lastId = this.ids[this.size] as number
    let index = 0
    for (;;) {
      let child = 2 * index + 1
      if (child >= this.size) break
      if (child + 1 < this.size && (this.due[child + 1] as number) < (this.due[child] as number)) child++
      if ((this.due[child] as number) >= lastDue) break
      this.due[index] = this.due[child] as number
      this.ids[index] = this.ids[child] as number
      index = child
    }
    this.due[index] = lastDue
    this.ids[index] = lastId
    return top
  }
}

/** Round-robin ring of parcel ids. */
class Ring {
  private ids: Int32Array
  private head = 0
  size = 0
  constructor(capacity: number) {
    this.ids = new Int32Array(capacity)
  }
  push(id: number) {
    this.ids[(this.head + this.size++) % this.ids.length] = id
  }
  shift(): number {
    const id = this.ids[this.head] as number
    this.head = (this.head + 1) % this.ids.length
    this.size--
    return id
  }
}

const dates = new Map<number, string>()

/** `YYYY-MM-DD` of a Paris day number, as a carrier's estimate reads; undefined for none (-1). */
function dateOfDay(day: number): string | undefined {
  if (day < 0) return undefined
  let date = dates.get(day)
  if (date === undefined) {
    date = new Date(day * DAY_MS).toISOString().slice(0, 10)
    dates.set(day, date)
  }
  return date
}

interface Simulation {
  journeys: Journeys
  policy: PollPolicy
  /** Whether colis is given the carriers' delivery estimates (off: what they are worth). */
  useEstimates: boolean
  pollsPerMinute: number
  startMs: number
  measureFromMs: number
  measureToMs: number
  endMs: number
}

function simulate(sim: Simulation, scheduler: Scheduler, seed: number): Latencies {
  const { journeys, policy, pollsPerMinute } = sim
  const random = seededRandom(seed)
  const count = journeys.count
  const cursor = journeys.eventStart.slice(0, count)
  const status = new Uint8Array(count)
  const estimate = new Int32Array(count).fill(-1)
  const notFound = new Int32Array(count)
  const done = new Uint8Array(count)
  const heap = new DueHeap(count + 1)
  const ring = new Ring(count + 1)
  const byStatus = new Map<number, number[]>(MEASURED.map((code) => [code, []]))
  const state: PollState = { status: 'pending', notFoundCount: 0, failureCount: 0 }
  let active = 0
  let polls = 0
  let activeSum = 0
  let activeSamples = 0
  let roundPolls = 0
  let roundBudget = 0
  let newsPolls = 0
  let knownEventsSum = 0
  const rounds: [number, number][] = []
  for (let day = Math.floor(sim.measureFromMs / DAY_MS); day * DAY_MS < sim.measureToMs; day++) {
    if (isScanDay(day)) rounds.push([parisInstant(day, 7 * 60), parisInstant(day, 10 * 60)])
  }

  /** Reveals the parcel's events up to `nowMs`; records latencies when `measure`. True once delivered. */
  function reveal(id: number, nowMs: number, measure: boolean): boolean {
    let next = cursor[id] as number
    const end = journeys.eventStart[id + 1] as number
    const before = next
    while (next < end && (journeys.eventAt[next] as number) <= nowMs) {
      const code = journeys.eventStatus[next] as number
      const at = journeys.eventAt[next] as number
      if (measure && at >= sim.measureFromMs && at < sim.measureToMs) {
        byStatus.get(code)?.push((nowMs - at) / MINUTE_MS)
      }
      status[id] = code
      estimate[id] = journeys.eventEstimateDay[next] as number
      next++
    }
    cursor[id] = next
    if (next === before) notFound[id] = (notFound[id] as number) + 1
    else notFound[id] = 0
    return status[id] === CODE.delivered
  }

  function delayOf(id: number, nowMs: number): number {
    state.status = STATUS_CODES[status[id] as number] ?? 'pending'
    state.notFoundCount = status[id] === CODE.pending ? (notFound[id] as number) : 0
    state.estimatedDelivery = sim.useEstimates ? dateOfDay(estimate[id] as number) : undefined
    return Math.max(nextPollDelayMs(state, policy, random, nowMs), 100)
  }

  function enter(id: number, nowMs: number, warm: boolean) {
    active++
    if (scheduler === 'fixed') {
      ring.push(id)
    } else {
      heap.push(warm ? nowMs + random() * delayOf(id, nowMs) : nowMs, id)
    }
  }

  // Parcels registered before the start: colis knows what happened so far (warm start).
  let arrival = 0
  const warmOrder: number[] = []
  while (arrival < count && (journeys.registeredAt[arrival] as number) < sim.startMs) {
    if (reveal(arrival, sim.startMs, false)) done[arrival] = 1
    else warmOrder.push(arrival)
    arrival++
  }
  for (let index = warmOrder.length - 1; index > 0; index--) {
    const swap = Math.floor(random() * (index + 1))
    ;[warmOrder[index], warmOrder[swap]] = [warmOrder[swap] as number, warmOrder[index] as number]
  }
  for (const id of warmOrder) enter(id, sim.startMs, true)

  const slotMs = MINUTE_MS / pollsPerMinute
  for (let minute = sim.startMs; minute < sim.endMs; minute += MINUTE_MS) {
    if (process.env.FR_DEBUG && (minute - sim.startMs) % DAY_MS === 0)
      console.error(
        scheduler,
        (minute - sim.startMs) / DAY_MS,
        active,
        polls,
        heap.size,
        ring.size,
        process.memoryUsage().heapUsed >> 20,
      )
    while (arrival < count && (journeys.registeredAt[arrival] as number) < minute + MINUTE_MS) {
      enter(arrival, journeys.registeredAt[arrival] as number, false)
      arrival++
    }
    if (minute >= sim.measureFromMs && minute < sim.measureToMs) {
      activeSum += active
      activeSamples++
    }
    const inRound = rounds.some(([from, to]) => minute >= from && minute < to)
    if (inRound) roundBudget += pollsPerMinute
    const pollsBefore = polls
    for (let slot = 0; slot < pollsPerMinute; slot++) {
      const nowMs = minute + slot * slotMs
      let id: number
      if (scheduler === 'fixed') {
        if (ring.size === 0) break
        id = ring.shift()
      } else {
        if (heap.topDue() > nowMs) {
          if (heap.topDue() >= minute + MINUTE_MS) break
          continue
        }
        id = heap.pop()
      }
      polls++
      const known = cursor[id] as number
      knownEventsSum += known - (journeys.eventStart[id] as number)
      const delivered = reveal(id, nowMs, true)
      if (cursor[id] !== known) newsPolls++
      if (delivered) {
        done[id] = 1
        active--
      } else if (scheduler === 'fixed') {
        ring.push(id)
      } else {
        heap.push(nowMs + delayOf(id, nowMs), id)
      }
    }
    if (inRound) roundPolls += polls - pollsBefore
  }
  // Events of the measured week never seen: counted as seen at the end of the run (a lower bound).
  for (let id = 0; id < count; id++) {
    if (!done[id]) reveal(id, sim.endMs, true)
  }
  return { byStatus, polls, roundPolls, roundBudget, activeSum, activeSamples, newsPolls, knownEventsSum }
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  const position = (sorted.length - 1) * q
  const low = Math.floor(position)
  const high = Math.min(sorted.length - 1, low + 1)
  return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (position - low)
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** Registrations per day that keep about `active` parcels in flight (Little's law over a pilot sample). */
function registrationsPerDay(active: number, firstDay: number): number {
  const pilot = generateJourneys({ seed: 7, firstDay, lastDay: firstDay + 7, perDay: 300 })
  let lifetimeDays = 0
  for (let id = 0; id < pilot.count; id++) {
    const last = pilot.eventAt[(pilot.eventStart[id + 1] as number) - 1] as number
    lifetimeDays += (last - (pilot.registeredAt[id] as number)) / DAY_MS
  }
  // 6 full days and a third-of-a-day Sunday per week: perDay × (6 + 1/3) / 7 arrivals per day.
  return active / (lifetimeDays / pilot.count) / ((6 + 1 / 3) / 7)
}

/** colis' policy as a deployment configures it: POLL_* defaults, overridable from the environment. */
function policyUnderTest(): PollPolicy {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('POLL_')))
  const config = loadConfig({ ...env, NODE_ENV: 'test' })
  return { ...pollPolicyFrom(config), calendar: pollCalendarFrom(config) }
}

/** The simulated week: journeys, budget, measured window (quick: parcels and budget ÷10). */
function simulationOf(quick: boolean): Simulation {
  const targetActive = quick ? ACTIVE_QUICK : ACTIVE_FULL
  // Quick mode shrinks the budget with the parcels, so each parcel gets the same share of it.
  const pollsPerMinute = (REQUESTS_PER_MINUTE * IDS_PER_REQUEST * targetActive) / ACTIVE_FULL
  const startDay = dayNumberOfDate(START_DATE)
  const journeys = generateJourneys({
    seed: 20260323,
    firstDay: startDay - HISTORY_DAYS,
    lastDay: startDay + MEASURED_FROM_DAY + MEASURED_DAYS + TAIL_DAYS,
    perDay: Math.round(registrationsPerDay(targetActive, startDay)),
  })
  const startMs = Date.parse(`${START_DATE}T00:00:00+01:00`)
  return {
    journeys,
    policy: policyUnderTest(),
    useEstimates: true,
    pollsPerMinute,
    startMs,
    measureFromMs: startMs + MEASURED_FROM_DAY * DAY_MS,
    measureToMs: startMs + (MEASURED_FROM_DAY + MEASURED_DAYS) * DAY_MS,
    endMs: startMs + (MEASURED_FROM_DAY + MEASURED_DAYS + TAIL_DAYS) * DAY_MS,
  }
}

/**
 * What colis' polls find in the simulated week (quick size): the share of polls that reveal at least
 * one new event, and the events colis already knew at a poll, on average. Figure 1 measures its poll
 * pipeline on this mix.
 */
export function adaptivePollMix(): { newsShare: number; knownEvents: number; polls: number } {
  const adaptive = simulate(simulationOf(true), 'adaptive', 1)
  return {
    newsShare: adaptive.newsPolls / adaptive.polls,
    knownEvents: adaptive.knownEventsSum / adaptive.polls,
    polls: adaptive.polls,
  }
}

export const freshness: FigureModule = async (options: BenchOptions): Promise<Figure[]> => {
  const started = performance.now()
  const sim = simulationOf(options.quick)
  const { journeys, pollsPerMinute } = sim
  const adaptive = simulate(sim, 'adaptive', 1)
  const blind = simulate({ ...sim, useEstimates: false }, 'adaptive', 1)
  const fixed = simulate(sim, 'fixed', 1)
  const seconds = (performance.now() - started) / 1000
  const activeMean = Math.round(fixed.activeSum / Math.max(1, fixed.activeSamples))
  const setting = `${activeMean} active parcels on average over the measured week (${journeys.count} journeys), budget ${pollsPerMinute / IDS_PER_REQUEST} req/min × ${IDS_PER_REQUEST} ids${options.quick ? ' (quick: parcels and budget ÷10)' : ''}; adaptive ${adaptive.polls} polls, fixed ${fixed.polls}; ${round(seconds)} s`
  const figures: Figure[] = []
  for (const name of ['out_for_delivery', 'delivered'] as const) {
    const code = CODE[name]
    const a = [...(adaptive.byStatus.get(code) ?? [])].sort((x, y) => x - y)
    const f = [...(fixed.byStatus.get(code) ?? [])].sort((x, y) => x - y)
    const aP95 = quantile(a, 0.95)
    const fP95 = quantile(f, 0.95)
    figures.push(
      atMost(`freshness-${name}-p95-ratio`, round(aP95 / fP95, 3), 'ratio', 0.5, {
        baseline: round(fP95),
        ratio: round(aP95 / fP95, 3),
        note: `p95 minutes from a ${name} event to colis knowing it: adaptive ${round(aP95)} / fixed round-robin ${round(fP95)}, ${a.length} events; ${setting}`,
      }),
    )
    const b = [...(blind.byStatus.get(code) ?? [])].sort((x, y) => x - y)
    for (const [policyName, sorted] of [
      ['adaptive', a],
      ['adaptive-without-estimates', b],
      ['fixed', f],
    ] as const) {
      for (const [label, q] of [
        ['median', 0.5],
        ['p95', 0.95],
      ] as const) {
        figures.push({
          name: `freshness-${name}-${policyName}-${label}`,
          value: round(quantile(sorted, q)),
          unit: 'min',
          target: 'info',
          pass: true,
        })
      }
    }
  }
  figures.push({
    name: 'freshness-adaptive-round-budget-use',
    value: round(adaptive.roundPolls / Math.max(1, adaptive.roundBudget), 3),
    unit: 'share',
    target: 'info',
    pass: true,
    note: `share of the carrier budget the adaptive policy spends 07:00–10:00 on scan days (fixed: always 1); whole week ${round(adaptive.polls / fixed.polls, 3)}`,
  })
  return figures
}
