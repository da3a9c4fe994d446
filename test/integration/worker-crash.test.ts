import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnCli, waitForExit } from '../support/child.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const NUMBER = '6A15602676300'
const SCANS = [
  { code: 'DI1', label: 'Votre colis est livré.', date: '2026-05-05T11:38:00+02:00' },
  { code: 'MD2', label: 'Votre colis est en cours de livraison.', date: '2026-05-05T08:01:00+02:00' },
  { code: 'ET1', label: 'Votre colis est en transit.', date: '2026-05-04T07:34:12+02:00' },
  { code: 'PC1', label: 'Votre colis a été déposé.', date: '2026-05-03T14:43:00+02:00' },
]

function body(scans: typeof SCANS) {
  return JSON.stringify({
    lang: 'fr_FR',
    scope: 'open',
    returnCode: 200,
    shipment: { idShip: NUMBER, holder: 4, product: 'colissimo', isFinal: scans.length === 4, event: scans },
  })
}

/**
 * A loopback La Poste: the first poll sees two scans, the second poll hangs (the worker is killed
 * while waiting for it), every later poll sees the whole delivered history.
 */
function fakeLaPoste(onHang: () => void) {
  let calls = 0
  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    calls++
    if (calls === 2) {
      onHang()
      return
    }
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(body(calls === 1 ? SCANS.slice(2) : SCANS))
  })
  return { server, calls: () => calls }
}

let harness: Harness
let carrier: ReturnType<typeof fakeLaPoste>
let hung: Promise<void>
let baseUrl: string

beforeAll(async () => {
  let markHung = () => {}
  hung = new Promise((resolve) => {
    markHung = resolve
  })
  carrier = fakeLaPoste(() => markHung())
  await new Promise<void>((resolve) => carrier.server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(carrier.server.address() as AddressInfo).port}/suivi/v2`
  harness = await createHarness('worker-crash', {
    LAPOSTE_BASE_URL: baseUrl,
    POLL_STALLED_LOCK: '1500ms',
    POLL_LEASE: '4s',
    POLL_IN_TRANSIT: '200ms',
  })
})

afterAll(async () => {
  await harness.close()
  carrier.server.closeAllConnections()
  await new Promise((resolve) => (carrier.server as Server).close(resolve))
})

it('a worker SIGKILLed in the middle of a poll: the poll is done again and the timeline has no duplicate', async () => {
  const key = (await harness.apiKeys.create('shop-crash')).key
  const created = await harness.request(key, '/v1/trackings', {
    method: 'POST',
    body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' }),
  })
  const { id } = (await created.json()) as { id: string }
  const env = {
    REDIS_URL: harness.config.REDIS_URL,
    COLIS_REDIS_PREFIX: harness.config.COLIS_REDIS_PREFIX,
    LAPOSTE_API_KEY: 'test-okapi-key',
    LAPOSTE_BASE_URL: baseUrl,
    POLL_DISPATCH_INTERVAL: '50ms',
    POLL_STALLED_LOCK: '1500ms',
    POLL_LEASE: '4s',
    POLL_IN_TRANSIT: '200ms',
    LOG_LEVEL: 'silent',
    // A worker serves /healthz on PORT: any free one, so test files running side by side never clash.
    PORT: '0',
  }
  const doomed = spawnCli(['serve', '--role', 'worker'], env)
  await hung
  const first = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as { events: unknown[] }
  expect(first.events).toHaveLength(2)
  doomed.kill('SIGKILL')
  await waitForExit(doomed)

  const survivor = spawnCli(['serve', '--role', 'worker'], env)
  try {
    const done = await eventually(
      async () =>
        (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as {
          status: string
          events: Array<{ id: string; code: string }>
        },
      (tracking) => tracking.status === 'delivered',
      45_000,
    )
    expect(done.events.map((event) => event.code)).toEqual(['PC1', 'ET1', 'MD2', 'DI1'])
    expect(new Set(done.events.map((event) => event.id)).size).toBe(4)
    expect(carrier.calls()).toBeGreaterThanOrEqual(3)
  } finally {
    survivor.kill('SIGTERM')
    await waitForExit(survivor)
  }
})
