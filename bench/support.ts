import { createServer as createHttpServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { connect, createServer, type Socket } from 'node:net'

/** A TCP proxy in front of Redis that counts client→server writes: each is one round trip. */
export async function startCountingProxy(targetPort: number) {
  let writes = 0
  let bytes = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnectionTo(targetPort)
    sockets.add(client).add(upstream)
    client.on('data', (chunk) => {
      writes++
      bytes += chunk.length
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => client.write(chunk))
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counters: () => ({ writes, bytes }),
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function createConnectionTo(port: number): Socket {
  return connect(port, '127.0.0.1')
}

/** A loopback La Poste answering every id at once with one in-transit scan (200 single, 207 multi). */
export async function startFakeLaPoste() {
  let requests = 0
  let ids = 0
  const server: Server = createHttpServer((request, response) => {
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
            date: '2026-06-03T14:43:00+02:00',
          },
        ],
      },
    }))
    response.writeHead(items.length > 1 ? 207 : 200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(items.length > 1 ? items : items[0]))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/suivi/v2`,
    counters: () => ({ requests, ids }),
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}
