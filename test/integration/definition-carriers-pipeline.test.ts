import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')

const DHL_KEY = 'dhl-pipeline-key-0123456789'
const GLS_NUMBER = '29626585597'
const DHL_NUMBER = '470800204932'
const COLISPRIVE_NUMBER = '991122334455'

type TrackingBody = {
  id: string
  carrier: string
  status: string
  events: Array<{ code: string; status: string; occurredAt: string }>
  lastError?: { kind: string }
}

/**
 * One loopback server standing for the three carriers, fed their fixtures: each answers a parcel
 * it does not know yet, then part of its journey, then the whole of it.
 */
function startCarrierFakes() {
  const calls = { gls: 0, dhl: 0, colisprive: 0 }
  const seen: string[] = []
  const send = (response: ServerResponse, status: number, body: string, type: string) => {
    response.writeHead(status, { 'content-type': type })
    response.end(body)
  }
  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake')
    seen.push(`${url.pathname}${url.search}`)
    if (url.pathname === '/gls/rstt001' && url.searchParams.get('match') === GLS_NUMBER) {
      calls.gls++
      if (calls.gls === 1) return send(response, 404, '', 'application/json')
      const file = calls.gls === 2 ? 'gls/rstt001-in-transit-en.json' : 'gls/rstt001-delivered-en.json'
      return send(response, 200, fixture(file), 'application/json')
    }
    if (url.pathname === '/dhl/track/shipments' && url.searchParams.get('trackingNumber') === DHL_NUMBER) {
      if (request.headers['dhl-api-key'] !== DHL_KEY)
        return send(response, 401, fixture('dhl/401-unauthorized.gateway.json'), 'application/problem+json')
      calls.dhl++
      const file = calls.dhl === 1 ? 'dhl/parcel-de-in-transit-de.json' : 'dhl/parcel-de-delivered-de.json'
      return send(response, 200, fixture(file), 'application/json')
    }
    if (url.pathname === '/colisprive/DetailColis.aspx') {
      // The page knows the parcel only by its number and its destination postal code together.
      if (url.searchParams.get('numColis') !== `${COLISPRIVE_NUMBER}75012`) {
        response.writeHead(302, { location: '/' })
        return response.end()
      }
      calls.colisprive++
      const file =
        calls.colisprive === 1
          ? 'colisprive/detailcolis-failed-attempt.assembled.html'
          : 'colisprive/detailcolis-delivered.html'
      return send(response, 200, fixture(file), 'text/html; charset=utf-8')
    }
    send(response, 404, '', 'text/plain')
  }
  const server: Server = createServer(answer)
  return new Promise<{ base: string; calls: typeof calls; seen: string[]; close(): Promise<void> }>(
    (resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo
        resolve({
          base: `http://127.0.0.1:${port}`,
          calls,
          seen,
          close: () => new Promise((done) => server.close(() => done())),
        })
      })
    },
  )
}

describe('GLS, DHL and Colis Privé end to end: definition files through the poll workers', () => {
  let harness: Harness
  let key: string
  let fakes: Awaited<ReturnType<typeof startCarrierFakes>>

  beforeAll(async () => {
    fakes = await startCarrierFakes()
    const fast = '200ms-300ms'
    harness = await createHarness('definition-carriers-e2e', {
      GLS_BASE_URL: `${fakes.base}/gls/rstt001`,
      DHL_BASE_URL: `${fakes.base}/dhl/track/shipments`,
      DHL_API_KEY: DHL_KEY,
      COLISPRIVE_BASE_URL: `${fakes.base}/colisprive/DetailColis.aspx`,
      GLS_RATE_LIMIT: '50/1s',
      DHL_RATE_LIMIT: '50/1s',
      COLISPRIVE_RATE_LIMIT: '50/1s',
      POLL_PENDING: fast,
      POLL_INFO_RECEIVED: fast,
      POLL_IN_TRANSIT: fast,
      POLL_NEAR_DELIVERY: fast,
      POLL_RETRY: fast,
    })
    key = (await harness.apiKeys.create('shop-definitions')).key
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await fakes?.close()
  })

  const register = async (body: object) => {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify(body),
    })
    expect(response.status, await response.clone().text()).toBe(201)
    return (await response.json()) as TrackingBody
  }
  const read = async (id: string) =>
    (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as TrackingBody
  const delivered = (id: string) =>
    eventually(
      () => read(id),
      (tracking) => tracking.status === 'delivered',
    )

  it('lists the three carriers as configured, DHL with its key', async () => {
    const response = await harness.request(key, '/v1/carriers')
    const { data } = (await response.json()) as { data: Array<{ id: string; configured: boolean }> }
    expect(data.filter((carrier) => ['gls', 'dhl', 'colisprive'].includes(carrier.id))).toEqual([
      expect.objectContaining({ id: 'gls', configured: true }),
      expect.objectContaining({ id: 'dhl', configured: true }),
      expect.objectContaining({ id: 'colisprive', configured: true }),
    ])
  })

  it('follows a GLS parcel from "not scanned yet" to delivered', async () => {
    const created = await register({ trackingNumber: GLS_NUMBER })
    expect(created.carrier).toBe('gls')
    const tracking = await delivered(created.id)
    expect(fakes.calls.gls).toBeGreaterThanOrEqual(3)
    expect(tracking.events.map((event) => event.status)).toEqual([
      'info_received',
      'in_transit',
      'in_transit',
      'in_transit',
      'in_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ])
    expect(tracking.lastError).toBeUndefined()
  })

  it('follows a DHL parcel with the key from the configuration', async () => {
    const created = await register({ trackingNumber: DHL_NUMBER, carrier: 'dhl' })
    const tracking = await delivered(created.id)
    expect(fakes.calls.dhl).toBeGreaterThanOrEqual(2)
    expect(tracking.events).toHaveLength(10)
    expect(tracking.events.map((event) => event.occurredAt)).toContain('2023-03-13T09:50:00+01:00')
    expect(tracking.events.at(-2)).toMatchObject({ code: 'transit', status: 'out_for_delivery' })
  })

  it('follows a Colis Privé parcel by its number and destination postal code, from a failed attempt', async () => {
    const created = await register({
      trackingNumber: COLISPRIVE_NUMBER,
      carrier: 'colisprive',
      destinationPostalCode: '75012',
    })
    const tracking = await delivered(created.id)
    expect(tracking.events.map((event) => event.status)).toEqual([
      'info_received',
      'in_transit',
      'out_for_delivery',
      'failed_attempt',
      'delivered',
    ])
    expect(fakes.seen).toContain(`/colisprive/DetailColis.aspx?numColis=${COLISPRIVE_NUMBER}75012&lang=fr`)
  })
})
