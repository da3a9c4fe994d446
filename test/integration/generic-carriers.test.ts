import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import nock from 'nock'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, eventually, type Harness } from '../support/harness.js'

const EXAMPLES = fileURLToPath(
  new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url),
)
const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/generic/${name}`, import.meta.url), 'utf8')

type TrackingBody = {
  id: string
  carrier: string
  status: string
  events: Array<{ id: string; code: string; status: string; occurredAt: string }>
  estimatedDelivery?: string
  lastError?: { kind: string }
}

describe('the two example generic carriers, end to end through the poll workers', () => {
  let harness: Harness
  let key: string
  let acmeCalls = 0

  beforeAll(async () => {
    nock.disableNetConnect()
    harness = await createHarness(
      'generic-e2e',
      {
        COLIS_CARRIERS_FILE: EXAMPLES,
        POLL_PENDING: '200ms-300ms',
        POLL_INFO_RECEIVED: '200ms-300ms',
        POLL_IN_TRANSIT: '200ms-300ms',
        POLL_NEAR_DELIVERY: '200ms-300ms',
        POLL_RETRY: '200ms-300ms',
      },
      { PARCELAPI_TOKEN: 'parcelapi-secret' },
    )
    key = (await harness.apiKeys.create('shop-generic')).key
    // ACME: not scanned yet on the first poll, then a page in another format once, then the journey.
    nock('https://suivi.acme-colis.example')
      .persist()
      .get('/colis/ACM123456789')
      .reply(() => {
        acmeCalls++
        if (acmeCalls === 1)
          return [404, fixture('acme-html-not-found.html'), { 'content-type': 'text/html' }]
        if (acmeCalls === 2) return [200, fixture('acme-html-garbage.html'), { 'content-type': 'text/html' }]
        return [200, fixture('acme-html-journey.html'), { 'content-type': 'text/html' }]
      })
    nock('https://api.parcelapi.example')
      .persist()
      .matchHeader('authorization', 'Bearer parcelapi-secret')
      .get('/v1/track/PA0123456789')
      .reply(200, fixture('parcelapi-json-journey.json'), { 'content-type': 'application/json' })
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness.close()
    nock.cleanAll()
    nock.enableNetConnect()
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

  it('detects the HTML carrier from its number pattern, survives a format change, and follows the journey', async () => {
    const created = await register({ trackingNumber: 'acm 123 456 789' })
    expect(created.carrier).toBe('acme-html')
    const delivered = await eventually(
      () => read(created.id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(acmeCalls).toBeGreaterThanOrEqual(3)
    expect(delivered.events.map((event) => event.status)).toEqual([
      'info_received',
      'in_transit',
      'in_transit',
      'in_transit',
      'out_for_delivery',
      'delivered',
    ])
    expect(delivered.lastError).toBeUndefined()
    for (const event of delivered.events) expect(event.occurredAt).toMatch(/[+-]\d{2}:\d{2}$/)

    const carriers = (await (await harness.request(key, '/v1/carriers')).json()) as {
      data: Array<{ id: string; configured: boolean; recentFailures: Record<string, number> }>
    }
    const acme = carriers.data.find((carrier) => carrier.id === 'acme-html')
    expect(acme?.configured).toBe(true)
    expect(acme?.recentFailures, JSON.stringify(carriers.data)).toMatchObject({ unexpected_response: 1 })
  })

  it('polls the JSON carrier with its secret header from the environment', async () => {
    const created = await register({ trackingNumber: 'PA0123456789', carrier: 'parcelapi-json' })
    const delivered = await eventually(
      () => read(created.id),
      (tracking) => tracking.status === 'delivered',
    )
    expect(delivered.events.map((event) => event.code)).toEqual(['INF', 'PU', 'HUB', 'OFD', 'DLV'])
    expect(new Set(delivered.events.map((event) => event.id)).size).toBe(5)
  })
})
