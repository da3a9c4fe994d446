import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { mapLaPosteShipment } from '../../adapters/laposte/map-events.js'
import type { LaPosteShipment } from '../../adapters/laposte/raw-schema.js'
import { loadConfig } from '../../src/config.js'
import { type ForecastModel, trainForecastModel } from '../../src/domain/forecast/forecast-model.js'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import { applyPollOutcome, type TrackingChange } from '../../src/domain/tracking-lifecycle.js'
import { createSilentLogger } from '../../src/logger.js'
import { alertPolicyFrom, pollPolicyFrom } from '../../src/main/policies.js'
import { createTrackingStore } from '../../src/main/stores.js'
import { startLocalRedis } from '../../src/redis/local-redis.js'
import { decodeEvents, encodeEvents } from '../../src/store/event-codec.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import type { PollView } from '../../src/store/tracking-store.js'
import { atMost, type Figure, type FigureModule } from '../figure.js'
import { laPosteNumber } from '../poll-cost.js'

const EVENTS_PER_TIMELINE = 20
const HOUR = 3_600_000

const SITES = [
  'CHILLY MAZARIN',
  'MOISSY CRAMAYEL PFC',
  'SAINT-PRIEST',
  'BONNEUIL SUR MARNE',
  'LYON MONTROCHET',
  'MARSEILLE ARENC',
  'TOULOUSE SAINT-JORY',
  'NANTES CARQUEFOU',
  'LILLE LESQUIN',
  'BORDEAUX BRUGES',
  'STRASBOURG HAUTEPIERRE',
  'RENNES LE RHEU',
]

/** La Poste Suivi v2 wordings (40–110 characters), oldest first, none of them terminal. */
const STEPS: Array<[code: string, label: (site: string) => string]> = [
  ['DR1', () => "Votre colis est prêt à être expédié, il va être remis à La Poste par l'expéditeur."],
  ['PC1', () => 'Votre colis a été déposé dans un point postal.'],
  [
    'PC2',
    () => 'Votre colis a été déposé dans un point de dépôt partenaire, il sera bientôt pris en charge.',
  ],
  ['ET1', (site) => `Votre colis est en cours d'acheminement depuis notre site ${site}.`],
  ['ET2', (site) => `Votre colis est arrivé sur notre plateforme de tri ${site}.`],
  ['ET3', (site) => `Votre colis est en cours de traitement sur notre site ${site}, il poursuit sa route.`],
  ['ET4', (site) => `Votre colis est parti de notre plateforme ${site} vers son site de distribution.`],
  [
    'DO2',
    () =>
      "Votre colis est sorti du pays d'expédition, il est en cours d'acheminement vers le pays de destination.",
  ],
  ['DO1', () => 'Votre colis est arrivé dans le pays de destination.'],
  ['ET1', (site) => `Votre colis est en cours de dédouanement puis sera acheminé vers le site ${site}.`],
  ['ET2', (site) => `Votre colis a été réceptionné sur le site ${site} et va être trié.`],
  ['PB2', () => 'Votre colis a rencontré un incident mineur sur son parcours. Il poursuit son acheminement.'],
  ['ET3', (site) => `Votre colis est en cours de traitement sur notre site ${site}.`],
  ['ET4', (site) => `Votre colis a quitté le site ${site}, il est en route vers votre région.`],
  ['ET1', (site) => `Votre colis est en transit sur notre plateforme régionale ${site}.`],
  ['ET2', (site) => `Votre colis est arrivé sur le site de distribution ${site} de votre commune.`],
  [
    'EP1',
    () => 'Votre colis est en attente de préparation pour sa distribution, il vous sera remis rapidement.',
  ],
  ['ET3', (site) => `Votre colis est en cours de préparation pour la livraison sur le site ${site}.`],
  ['ID0', () => 'Votre colis a bien été pris en charge par notre service de distribution.'],
  ['MD2', () => 'Votre colis est en cours de livraison. Il sera livré dans la journée par votre facteur.'],
]

function parisOffsetIso(ms: number): string {
  // A fixed +02:00 offset (summer time), as La Poste sends it: never rewritten to UTC.
  return `${new Date(ms + 2 * HOUR).toISOString().slice(0, 19)}+02:00`
}

/** A La Poste-like shipment (20 events unless told), newest first on the wire; each tracking gets its own times and sites. */
export function laPosteShipment(
  trackingNumber: string,
  serial: number,
  nowMs: number,
  eventCount = EVENTS_PER_TIMELINE,
): LaPosteShipment {
  // The last scan lands about 20 hours before `nowMs` whatever the count: every sample is a parcel on the
  // move, with no alert open, at any hour and day the benchmark runs.
  const start =
    Math.floor(nowMs / 60_000) * 60_000 -
    6 * 24 * HOUR +
    (EVENTS_PER_TIMELINE - eventCount) * 6.5 * HOUR -
    (serial % 97) * 60_000
  const events = STEPS.slice(0, eventCount).map(([code, label], index) => ({
    code,
    label: label(SITES[(serial + index * 5) % SITES.length] as string),
    date: parisOffsetIso(start + index * 6.5 * HOUR + ((serial * 7 + index * 13) % 50) * 60_000),
  }))
  return {
    idShip: trackingNumber,
    holder: 4,
    product: 'colissimo',
    isFinal: false,
    event: events.reverse(),
  }
}

/** A realistic timeline (20 events unless told), as the La Poste adapter maps it. */
export function sampleTimeline(
  serial = 1,
  nowMs = Date.now(),
  eventCount = EVENTS_PER_TIMELINE,
): TrackingEvent[] {
  const number = laPosteNumber(serial)
  return mapLaPosteShipment(laPosteShipment(number, serial, nowMs, eventCount), createSilentLogger()).events
}

/** The most events a sample timeline can hold and still be stored as plain JSON (not deflated). */
export function longestJsonTimeline(): number {
  let count = EVENTS_PER_TIMELINE
  while (count > 0 && encodeEvents(sampleTimeline(1, Date.now(), count))[0] !== 0x5b) count--
  return count
}

/** INFO used_memory after MEMORY PURGE: the bytes the data holds, freed pages given back first. */
export async function usedMemory(redis: Redis): Promise<number> {
  await redis.memory('PURGE')
  const info = await redis.info('memory')
  return Number(/used_memory:(\d+)/.exec(info)?.[1])
}

export interface MemoryMeasure {
  trackings: number
  bytesPerTracking: number
  /** MEMORY USAGE of one tracking hash, and of its `events` field alone. */
  hashBytes: number
  eventsFieldBytes: number
  encoding: string
}

/**
 * Registers `trackings` parcels through the store, then saves one real poll result on each (the La
 * Poste mapper, merge, schedule, alerts), so each holds a timeline of `eventCount` events and one
 * pending poll. Notifications are dropped before the save: a steady state has a drained outbox.
 */
export async function measureMemory(
  trackings: number,
  eventCount = EVENTS_PER_TIMELINE,
  options: { stalled?: boolean; forecastModel?: ForecastModel } = {},
): Promise<MemoryMeasure> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-memory-'))
  const server = await startLocalRedis({ dir })
  const redis = new Redis(server.url, { maxRetriesPerRequest: null })
  try {
    const config = loadConfig({ REDIS_URL: server.url, COLIS_REDIS_PREFIX: 'bench', LAPOSTE_API_KEY: 'k' })
    const store = createTrackingStore(redis, config.COLIS_REDIS_PREFIX)
    const keys = createRedisKeys(config.COLIS_REDIS_PREFIX)
    const policy = pollPolicyFrom(config)
    const alertPolicy = alertPolicyFrom(config)
    const logger = createSilentLogger()
    const registeredAt = new Date(Date.now() - 7 * 24 * HOUR)
    // A stalled parcel: the same scans, polled two weeks after the last (3 business days open the alert).
    const nowMs = Date.now() + (options.stalled ? 14 * 24 * HOUR : 0)
    const scansUntilMs = Date.now()
    // Warm-up: the scripts are loaded and the shared keys exist before the baseline is read.
    await store.register(
      { merchantId: 'bench', carrier: 'laposte', trackingNumber: laPosteNumber(0) },
      registeredAt,
    )
    const before = await usedMemory(redis)
    let sample = ''
    const chunk = 500
    for (let start = 1; start <= trackings; start += chunk) {
      const serials = Array.from(
        { length: Math.min(chunk, trackings + 1 - start) },
        (_, index) => start + index,
      )
      const registered = await Promise.all(
        serials.map((serial) =>
          store.register(
            { merchantId: 'bench', carrier: 'laposte', trackingNumber: laPosteNumber(serial) },
            registeredAt,
            { nextAlertCheckAtMs: registeredAt.getTime() + 24 * HOUR },
          ),
        ),
      )
      const writes = registered.map(({ record }, index): TrackingChange<PollView> => {
        const serial = serials[index] as number
        const snapshot = mapLaPosteShipment(
          laPosteShipment(record.trackingNumber, serial, scansUntilMs, eventCount),
          logger,
        )
        const view = { record, events: [], version: 1 }
        const complete = applyPollOutcome(view, snapshot, {
          now: new Date(nowMs),
          policy,
          // The alert rules of the tracking as the poll leaves it (the service the carrier named).
          alertPolicy: alertPolicy({ ...record, service: snapshot.service ?? record.service }),
          timeScale: 1,
          forecastModel: options.forecastModel,
        })
        if (options.forecastModel && complete.record.forecastWindow === undefined)
          throw new Error('expected a forecast window on the record')
        const open = complete.record.alerts.filter((alert) => !alert.resolvedAt).map((alert) => alert.type)
        if (open.join() !== (options.stalled ? 'stalled' : ''))
          throw new Error(`expected ${options.stalled ? 'a stalled alert' : 'no alert'} open, got [${open}]`)
        return { ...complete, notifications: [] }
      })
      const outcomes = await store.save(writes)
      if (outcomes.some((outcome) => outcome !== 'saved')) throw new Error(`save failed: ${outcomes}`)
      sample ||= keys.tracking(registered[0]?.record.id ?? '')
    }
    if ((await redis.exists(keys.outbox(0))) !== 0) throw new Error('the outbox should be empty')
    const after = await usedMemory(redis)
    const hashBytes = Number(await redis.memory('USAGE', sample, 'SAMPLES', 0))
    const eventsFieldBytes = (await redis.hstrlen(sample, 'events')) as number
    const encoding = String(await redis.object('ENCODING', sample))
    return {
      trackings,
      bytesPerTracking: (after - before) / trackings,
      hashBytes,
      eventsFieldBytes,
      encoding,
    }
  } finally {
    redis.disconnect()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface CodecCost {
  encodeUs: number
  decodeUs: number
  jsonStringifyUs: number
  jsonParseUs: number
  encodedBytes: number
  jsonBytes: number
}

/**
 * CPU per encode and decode of one 20-event timeline, against plain JSON: the least of 7 batches, so
 * other processes on the machine add as little as possible to the codec's own cost.
 */
export function measureCodec(perBatch = 400, batches = 7): CodecCost {
  const timelines = Array.from({ length: 50 }, (_, index) => sampleTimeline(index + 1))
  const encoded = timelines.map((events) => encodeEvents(events))
  const json = timelines.map((events) => JSON.stringify(events))
  const time = (work: (index: number) => unknown) => {
    for (let index = 0; index < 200; index++) work(index % timelines.length)
    let best = Number.POSITIVE_INFINITY
    for (let batch = 0; batch < batches; batch++) {
      const started = process.cpuUsage()
      for (let index = 0; index < perBatch; index++) work(index % timelines.length)
      const used = process.cpuUsage(started)
      best = Math.min(best, (used.user + used.system) / perBatch)
    }
    return best
  }
  return {
    encodeUs: time((index) => encodeEvents(timelines[index] as TrackingEvent[])),
    decodeUs: time((index) => decodeEvents(encoded[index] as Buffer)),
    jsonStringifyUs: time((index) => JSON.stringify(timelines[index])),
    jsonParseUs: time((index) => JSON.parse(json[index] as string)),
    encodedBytes: encoded.reduce((sum, value) => sum + value.length, 0) / encoded.length,
    jsonBytes: json.reduce((sum, value) => sum + Buffer.byteLength(value), 0) / json.length,
  }
}

/** Figure 4: Redis bytes per active tracking (20-event timeline, pending poll included). */
export const memory: FigureModule = async ({ quick }): Promise<Figure[]> => {
  const trackings = quick ? 10_000 : 100_000
  const measured = await measureMemory(trackings)
  const jsonEvents = longestJsonTimeline()
  // A quick run must stay under two minutes even in the machine's slow phases (119 s in one).
  const longestJsonTrackings = quick ? 5_000 : 20_000
  const longestJson = await measureMemory(longestJsonTrackings, jsonEvents)
  const stalled = await measureMemory(longestJsonTrackings, EVENTS_PER_TIMELINE, { stalled: true })
  const forecasting = await measureMemory(longestJsonTrackings, EVENTS_PER_TIMELINE, {
    stalled: true,
    forecastModel: everyDayForecastModel(),
  })
  const codec = measureCodec()
  return [
    atMost('memory per active tracking', Math.round(measured.bytesPerTracking), 'B', 4096, {
      note:
        `INFO used_memory after MEMORY PURGE, before/after registering ${trackings} La Poste trackings` +
        `${quick ? ' (quick mode; the full run uses 100000)' : ''} and saving a 20-event timeline on each ` +
        `through the real store; the pending poll is a member of the due ZSET, outbox drained (notifications not written). ` +
        `One hash: ${measured.hashBytes} B (${measured.encoding}), events field ${measured.eventsFieldBytes} B ` +
        `(${Math.round(codec.jsonBytes)} B as JSON)`,
    }),
    atMost(
      'memory per tracking, longest timeline kept as JSON',
      Math.round(longestJson.bytesPerTracking),
      'B',
      4096,
      {
        note:
          `the same at ${longestJsonTrackings} trackings whose ${jsonEvents}-event timeline is just short enough to be stored as plain JSON ` +
          `(events field ${longestJson.eventsFieldBytes} B): short timelines are not deflated, so this is the most a tracking ` +
          `takes before its timeline is compressed`,
      },
    ),
    // Figure 4's bound, held for a parcel in trouble too: an open alert must not take a tracking past it.
    atMost('memory per stalled tracking, alert open', Math.round(stalled.bytesPerTracking), 'B', 4096, {
      note:
        `the 20-event tracking at ${longestJsonTrackings} trackings, each with a stalled alert open (the alert in its tracking, ` +
        `its entry in the merchant's alert lists — all and by type — in the tracking's alert-type index and in the open set): an open alert adds ${Math.round(stalled.bytesPerTracking - measured.bytesPerTracking)} B`,
    }),
    atMost(
      'memory per stalled tracking, alert open, forecast kept',
      Math.round(forecasting.bytesPerTracking),
      'B',
      4096,
      {
        note: `the stalled line's trackings saved by workers with a delivery forecast model loaded: each record keeps its forecast window (first day's number and the days to the last) to tell a move, and no alert check of its own (the next day's first poll looks at the forecast again); the forecast adds ${Math.round(forecasting.bytesPerTracking - stalled.bytesPerTracking)} B`,
      },
    ),
    atMost('events codec CPU per 20-event timeline', round(codec.encodeUs + codec.decodeUs), 'µs', 200, {
      note:
        `encode ${round(codec.encodeUs)} µs + decode ${round(codec.decodeUs)} µs ` +
        `(JSON.stringify ${round(codec.jsonStringifyUs)} µs + JSON.parse ${round(codec.jsonParseUs)} µs); ` +
        `${Math.round(codec.encodedBytes)} B stored vs ${Math.round(codec.jsonBytes)} B of JSON`,
    }),
  ]
}

/** La Poste parcels that took 1 to 30 business days, 40 each: even a parcel stalled for weeks gets a window. */
function everyDayForecastModel(): ForecastModel {
  return trainForecastModel(
    Array.from({ length: 30 * 40 }, (_, index) => ({
      carrier: 'laposte',
      service: '-',
      region: 'FR',
      transitDays: (index % 30) + 1,
    })),
  )
}

function round(value: number): number {
  return Math.round(value * 10) / 10
}
