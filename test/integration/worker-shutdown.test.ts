import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnCli, waitForExit } from '../support/child.js'
import { createHarness, type Harness } from '../support/harness.js'

const NUMBER = '6A15602683841'
const ANSWER = JSON.stringify({
  lang: 'fr_FR',
  scope: 'open',
  returnCode: 200,
  shipment: {
    idShip: NUMBER,
    holder: 4,
    product: 'colissimo',
    isFinal: false,
    event: [{ code: 'PC1', label: 'Votre colis a été déposé.', date: '2026-06-03T14:43:00+02:00' }],
  },
})

let harness: Harness
let requestArrived: Promise<void>
const server = createServer((_request, response) => {
  markArrived()
  // Slow on purpose: SIGTERM lands while this poll is in flight.
  setTimeout(() => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(ANSWER)
  }, 1500)
})
let markArrived = () => {}

beforeAll(async () => {
  requestArrived = new Promise((resolve) => {
    markArrived = resolve
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  harness = await createHarness('worker-shutdown')
})

afterAll(async () => {
  await harness.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

it('SIGTERM lets the in-flight poll finish and save, then the worker exits 0', async () => {
  const key = (await harness.apiKeys.create('shop-shutdown')).key
  const created = await harness.request(key, '/v1/trackings', {
    method: 'POST',
    body: JSON.stringify({ trackingNumber: NUMBER, carrier: 'laposte' }),
  })
  const { id } = (await created.json()) as { id: string }
  const worker = spawnCli(['serve', '--role', 'worker'], {
    REDIS_URL: harness.config.REDIS_URL,
    COLIS_REDIS_PREFIX: harness.config.COLIS_REDIS_PREFIX,
    LAPOSTE_API_KEY: 'test-okapi-key',
    LAPOSTE_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/suivi/v2`,
    POLL_DISPATCH_INTERVAL: '50ms',
    LOG_LEVEL: 'silent',
    PORT: '0',
  })
  await requestArrived
  worker.kill('SIGTERM')
  expect(await waitForExit(worker)).toBe(0)
  const tracking = (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as {
    events: unknown[]
    status: string
  }
  expect(tracking.status).toBe('in_transit')
  expect(tracking.events).toHaveLength(1)
})
