/**
 * A loopback La Poste Suivi v2, run as a child process (`node --import tsx bench/fake-laposte.ts`, with an
 * IPC channel) so that its CPU is not billed to the colis process it answers: a real carrier is remote.
 * It answers every id at once (200 single, 207 multi) with a deterministic history of La Poste scans,
 * the latest an hour old, in the full shape of a Suivi v2 answer (timeline, contextData, url).
 *
 * Messages to the parent: `{ port, requests, ids, cpuMs }` once listening, `{ requests, ids, cpuMs }` when
 * asked (`{ ask: true }`), and with `mixed` once it answers with a new mix. Answers are built once per
 * parcel and mix, then sent again as they are: a real carrier's CPU is not on colis' machine, so the
 * loopback one should take as little of the shared cores as it can.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type FakeLaPosteMix, laPosteItem } from './laposte-answers.js'

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

// Until the parent says otherwise, every parcel has one scan: its first poll is news, later ones are not.
let mix: FakeLaPosteMix = { knownEvents: 1, newsShare: 0, generation: 0 }
/** Each parcel's item as JSON text, for the current mix. */
let answers = new Map<string, string>()
process.on('message', (message: { mix?: FakeLaPosteMix; ask?: boolean }) => {
  if (message.ask) process.send?.({ requests, ids, cpuMs: cpuMs() } satisfies FakeLaPosteCounters)
  if (!message.mix) return
  mix = message.mix
  answers = new Map()
  process.send?.({ requests, ids, cpuMs: cpuMs(), mixed: mix.generation })
})

function itemJson(id: string): string {
  let json = answers.get(id)
  if (json === undefined) {
    json = JSON.stringify(laPosteItem(id, mix, latestScanMs))
    answers.set(id, json)
  }
  return json
}
/** The latest scan of a history is an hour old (a months-old one would open a stalled alert). */
const latestScanMs = Date.now() - 3_600_000

const server = createServer((request, response) => {
  const asked = decodeURIComponent(request.url?.split('/idships/')[1]?.split('?')[0] ?? '').split(',')
  requests++
  ids += asked.length
  const items = asked.map(itemJson)
  response.writeHead(items.length > 1 ? 207 : 200, { 'content-type': 'application/json' })
  response.end(items.length > 1 ? `[${items.join(',')}]` : items[0])
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
