/**
 * A loopback La Poste Suivi v2, run as a child process (`node --import tsx bench/fake-laposte.ts`, with an
 * IPC channel) so that its CPU is not billed to the colis process it answers: a real carrier is remote.
 * It answers every id at once with one scan, dated an hour earlier (200 single, 207 multi).
 *
 * Messages to the parent: `{ port, requests, ids, cpuMs }` once listening, then `{ requests, ids, cpuMs }`
 * after each request.
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

/** Now minus an hour, to the minute, in La Poste's form (`2026-06-03T14:43:00+00:00`). */
function scannedAt(): string {
  return `${new Date(Date.now() - 3_600_000).toISOString().slice(0, 16)}:00+00:00`
}

const server = createServer((request, response) => {
  const asked = decodeURIComponent(request.url?.split('/idships/')[1]?.split('?')[0] ?? '').split(',')
  requests++
  ids += asked.length
  const items = asked.map((id) => ({
    lang: 'fr_FR',
    scope: 'open',
    returnCode: 200,
    shipment: {
      idShip: id,
      holder: 4,
      product: 'colissimo',
      isFinal: false,
      event: [
        {
          code: 'PC1',
          label: 'Votre colis a été déposé dans un point postal.',
          // An hour before the answer, as a carrier's latest scan of a parcel being polled would be: a
          // scan months old would open a "stalled" alert on every parcel, which no real poll mix does.
          date: scannedAt(),
        },
      ],
    },
  }))
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
