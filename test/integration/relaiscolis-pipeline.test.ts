import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const NUMBER = '4H013000253201'
const ACTIVATION_KEY = 'rc-activation-key-for-the-pipeline-test'

type RawEvent = { parcelNumber: string; Date: string; GMT: string; CodeEVT: string; CodeJUS: string }

/** The journey of the fixture, oldest first: announced → … → at the relay → collected. */
const JOURNEY = (
  JSON.parse(
    readFileSync(new URL('../fixtures/relaiscolis/relay-collected.json', import.meta.url), 'utf8'),
  ) as RawEvent[]
).reverse()

/** A loopback stand-in for the modules API: `visible` events of NUMBER, the announcement of any other. */
function startFakeModulesApi(state: { visible: number; requests: string[][]; keys: string[] }) {
  const server = createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
    })
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/api/package/getPackagesStatus') {
        response.writeHead(404, { 'content-type': 'application/json' })
        return response.end(
          JSON.stringify({ title: 'An Error occurred', status: 404, detail: 'No route found' }),
        )
      }
      const { activationKey, parcelNumbers } = JSON.parse(text) as {
        activationKey: string
        parcelNumbers: string[]
      }
      state.requests.push(parcelNumbers)
      state.keys.push(activationKey)
      const events = parcelNumbers.flatMap((parcelNumber) =>
        parcelNumber === NUMBER
          ? JOURNEY.slice(0, state.visible)
          : JOURNEY.slice(0, 1).map((event) => ({ ...event, parcelNumber })),
      )
      response.writeHead(200, { 'content-type': 'application/json' })
      // Newest first, as an API that lists the latest event first would.
      response.end(JSON.stringify(events.reverse()))
    })
  })
  return new Promise<Server>((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

describe('Relais Colis parcel from registration to the relay and its collection, through BullMQ', () => {
  let harness: Harness
  let server: Server
  let key: string
  const state = { visible: 0, requests: [] as string[][], keys: [] as string[] }

  beforeAll(async () => {
    server = await startFakeModulesApi(state)
    const { port } = server.address() as AddressInfo
    harness = await createHarness('relaiscolis-pipeline', {
      RELAISCOLIS_ACTIVATION_KEY: ACTIVATION_KEY,
      RELAISCOLIS_BASE_URL: `http://127.0.0.1:${port}`,
      POLL_PENDING: '200ms-300ms',
      POLL_INFO_RECEIVED: '200ms-300ms',
      POLL_IN_TRANSIT: '200ms-300ms',
      POLL_NEAR_DELIVERY: '200ms-300ms',
    })
    key = (await harness.apiKeys.create('shop-rc')).key
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await new Promise((resolve) => server?.close(resolve))
  })

  const getTracking = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}`)
    expect(response.status).toBe(200)
    return (await response.json()) as {
      carrier: string
      status: string
      events: Array<{ id: string; code: string; status: string; occurredAt: string }>
      lastCheckedAt?: string
      deliveredAt?: string
      pollingStopped?: string
      nextCheckAt?: string
    }
  }

  it('detects the number, polls while not found, follows it to the relay and stops once collected', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '4h 0130 0025 3201', orderId: 'RC-1' }),
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const { id, carrier, trackingNumber } = (await created.json()) as {
      id: string
      carrier: string
      trackingNumber: string
    }
    expect({ carrier, trackingNumber }).toEqual({ carrier: 'relaiscolis', trackingNumber: NUMBER })

    const notFound = await eventually(
      () => getTracking(id),
      (tracking) => tracking.lastCheckedAt !== undefined,
    )
    expect(notFound.status).toBe('pending')
    expect(notFound.events).toEqual([])

    state.visible = 3
    const onTheWay = await eventually(
      () => getTracking(id),
      (tracking) => tracking.events.length === 3,
    )
    expect(onTheWay.status).toBe('out_for_delivery')

    state.visible = 4
    const atRelay = await eventually(
      () => getTracking(id),
      (tracking) => tracking.status === 'available_for_pickup',
    )
    expect(atRelay.events.at(-1)).toMatchObject({ code: 'DEP/REL', occurredAt: '2026-03-27T14:05:00+01:00' })
    expect(atRelay.pollingStopped).toBeUndefined()

    state.visible = 5
    const collected = await eventually(
      () => getTracking(id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(collected.events.map((event) => event.code)).toEqual([
      'APF',
      'AAR/AV',
      'RST/1P',
      'DEP/REL',
      'SOL/LIV',
    ])
    expect(new Set(collected.events.map((event) => event.id)).size).toBe(5)
    expect(collected.deliveredAt).toBe('2026-03-30T11:05:00+02:00')
    expect(collected.pollingStopped).toBe('terminal')
    expect(collected.nextCheckAt).toBeUndefined()
    expect(new Set(state.keys)).toEqual(new Set([ACTIVATION_KEY]))
  })

  it('polls several due Relais Colis parcels in one request', async () => {
    const numbers = ['4H091500000201', '4H091500000202', '4H091500000203']
    const before = state.requests.length
    // Registered together and all due at the same moment, as when several parcels of a merchant fall due.
    const dueAt = new Date(Date.now() + 300)
    const ids: string[] = []
    for (const trackingNumber of numbers) {
      const { record } = await harness.store.register(
        { merchantId: 'shop-rc', carrier: 'relaiscolis', trackingNumber },
        dueAt,
      )
      ids.push(record.id)
    }
    for (const id of ids) {
      const tracking = await eventually(
        () => getTracking(id),
        (found) => found.events.length === 1,
      )
      expect(tracking.status).toBe('info_received')
    }
    const asked = state.requests.slice(before)
    expect(asked).toHaveLength(1)
    expect([...(asked[0] ?? [])].sort()).toEqual(numbers)
  })
})
