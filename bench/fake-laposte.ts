/**
 * A loopback La Poste Suivi v2, run as a child process (`node --import tsx bench/fake-laposte.ts`, with an
 * IPC channel) so that its CPU is not billed to the colis process it answers: a real carrier is remote.
 * It answers every id at once (200 single, 207 multi) with a deterministic history of La Poste scans,
 * the latest an hour old, in the full shape of a Suivi v2 answer (timeline, contextData, url).
 *
 * Messages to the parent: `{ port, requests, ids, cpuMs }` once listening, then `{ requests, ids, cpuMs }`
 * after each request, and with `mixed` once it answers with a new mix.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeLaPosteCounters {
  requests: number
  ids: number
  /** This process's user + system CPU since it started, in ms. */
  cpuMs: number
}

let requests = 0
let ids = 0

function cpuMs(): number {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * What the parent asks for (IPC): each parcel's history holds `knownEvents` events on average (1 to
 * 2 × knownEvents − 1, by its id), and from `generation` 1 on, `newsShare` of the parcels (by id) show
 * one event more. Until told, every parcel has one scan: its first poll is news, later ones are not.
 */
export interface FakeLaPosteMix {
  knownEvents: number
  newsShare: number
  generation: number
}

let mix: FakeLaPosteMix = { knownEvents: 1, newsShare: 0, generation: 0 }
process.on('message', (message: { mix?: FakeLaPosteMix }) => {
  if (!message.mix) return
  mix = message.mix
  process.send?.({ requests, ids, cpuMs: cpuMs(), mixed: mix.generation })
})

/** An in-transit journey as La Poste tells it, oldest first; a history is a prefix of it. */
const JOURNEY = [
  [
    'DR1',
    'Votre Colissimo va bientôt nous être confié ! Il est en cours de préparation chez votre expéditeur.',
  ],
  ['PC1', 'Votre colis a été déposé dans un point postal.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET2', 'Votre colis est prêt à partir de son territoire d’expédition.'],
  ['ET4', 'Votre colis est en cours de traitement dans un pays de transit.'],
  ['ET3', 'Votre colis est arrivé dans le pays du destinataire.'],
  ['ET1', "Votre colis est en cours d'acheminement."],
  ['EP1', 'Votre colis est en attente de présentation.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET1', "Votre colis est en cours d'acheminement."],
] as const
const HOUR_MS = 3_600_000
/** The latest scan of a history is an hour old (a months-old one would open a stalled alert). */
const latestScanMs = Date.now() - HOUR_MS

/** La Poste's date form, to the minute (`2026-06-03T14:43:00+00:00`). */
function laPosteDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}:00+00:00`
}

/** A number from the id's characters: the same id always gets the same history. */
function hashOf(id: string, salt: number): number {
  let hash = salt
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 16777619)
  return (hash >>> 0) % 1_000_000
}

function eventsOf(id: string) {
  const known = Math.min(
    JOURNEY.length - 1,
    1 + (hashOf(id, 2166136261) % (2 * Math.round(mix.knownEvents) - 1)),
  )
  const news = mix.generation > 0 && hashOf(id, 374761393) < mix.newsShare * 1_000_000 ? 1 : 0
  const events = []
  for (let index = 0; index < known + news; index++) {
    const [code, label] = JOURNEY[index] as (typeof JOURNEY)[number]
    // Scans five hours apart up to the latest; the news came half an hour after it.
    const at = index < known ? latestScanMs - (known - 1 - index) * 5 * HOUR_MS : latestScanMs + HOUR_MS / 2
    events.push({ code, label, date: laPosteDate(at) })
  }
  return events.reverse()
}

function shipmentOf(id: string) {
  const event = eventsOf(id)
  const steps = [
    'Votre colis est entre nos mains.',
    'Il est en chemin.',
    'Votre colis est arrivé sur son site de livraison.',
    'Nous préparons votre colis pour sa livraison.',
    'Votre colis a été livré',
  ]
  return {
    lang: 'fr_FR',
    scope: 'open',
    returnCode: 200,
    shipment: {
      idShip: id,
      holder: 4,
      product: 'colissimo',
      isFinal: false,
      entryDate: event[event.length - 1]?.date,
      timeline: steps.map((shortLabel, index) => ({
        shortLabel,
        longLabel: '',
        id: index + 1,
        country: 'FR',
        status: index < 2,
        type: 1,
      })),
      event,
      contextData: { deliveryChoice: { deliveryChoice: 0 }, originCountry: 'FR', arrivalCountry: 'FR' },
      url: `https://www.laposte.fr/outils/suivre-vos-envois?code=${id}`,
    },
  }
}

const server = createServer((request, response) => {
  const asked = decodeURIComponent(request.url?.split('/idships/')[1]?.split('?')[0] ?? '').split(',')
  requests++
  ids += asked.length
  const items = asked.map(shipmentOf)
  // Counted before answering: the parent never sees an answer its counters do not include yet.
  process.send?.({ requests, ids, cpuMs: cpuMs() } satisfies FakeLaPosteCounters)
  response.writeHead(items.length > 1 ? 207 : 200, { 'content-type': 'application/json' })
  response.end(JSON.stringify(items.length > 1 ? items : items[0]))
})

server.listen(0, '127.0.0.1', () => {
  // With the CPU used so far (loading this file), so the parent counts only what answering costs.
  process.send?.({ port: (server.address() as AddressInfo).port, requests, ids, cpuMs: cpuMs() })
})
// The parent went away (or closed the channel): nothing left to answer.
process.on('disconnect', () => {
  server.closeAllConnections()
  server.close(() => process.exit(0))
})
