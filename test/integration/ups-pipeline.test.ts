import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { startUpsFake, type UpsFake } from '../support/ups-fake.js'

const NUMBER = '1Z5R89390357567127'
const CLIENT_ID = 'pipeline-client-id'
const CLIENT_SECRET = 'pipeline-client-secret-0123456789'

/** The journey of the fixture, oldest activity first: label … Access Point … collected. */
const ANSWER = JSON.parse(
  readFileSync(new URL('../fixtures/ups/access-point-collected.json', import.meta.url), 'utf8'),
)
const JOURNEY: object[] = [...ANSWER.trackResponse.shipment[0].package[0].activity].reverse()

/** UPS's answer once the first `visible` activities happened: newest first, as UPS sends them. */
function answerFor(visible: number) {
  if (visible === 0) {
    return {
      trackResponse: {
        shipment: [
          {
            inquiryNumber: NUMBER,
            warnings: [{ code: 'TW0001', message: 'Tracking Information Not Found' }],
          },
        ],
      },
    }
  }
  const pkg = { trackingNumber: NUMBER, activity: JOURNEY.slice(0, visible).reverse() }
  return { trackResponse: { shipment: [{ inquiryNumber: NUMBER, package: [pkg] }] } }
}

type TrackingBody = {
  id: string
  carrier: string
  status: string
  events: Array<{ id: string; code: string; status: string; occurredAt: string }>
  lastCheckedAt?: string
  deliveredAt?: string
  pollingStopped?: string
}

describe('UPS parcel from registration to collected at an Access Point, through the poll workers', () => {
  let harness: Harness
  let fake: UpsFake
  let key: string
  let visible = 0

  beforeAll(async () => {
    fake = await startUpsFake({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      answer: () => ({ status: 200, body: answerFor(visible) }),
    })
    harness = await createHarness('ups-pipeline', {
      UPS_CLIENT_ID: CLIENT_ID,
      UPS_CLIENT_SECRET: CLIENT_SECRET,
      UPS_BASE_URL: `${fake.url}/api`,
      UPS_TOKEN_URL: `${fake.url}/security/v1/oauth/token`,
      POLL_PENDING: '200ms-300ms',
      POLL_INFO_RECEIVED: '200ms-300ms',
      POLL_IN_TRANSIT: '200ms-300ms',
      POLL_NEAR_DELIVERY: '200ms-300ms',
      POLL_RETRY: '200ms-300ms',
    })
    key = (await harness.apiKeys.create('shop-ups')).key
    await harness.startWorkers()
  })

  afterAll(async () => {
    await harness?.close()
    await fake?.close()
  })

  const read = async (id: string) => {
    const response = await harness.request(key, `/v1/trackings/${id}`)
    expect(response.status).toBe(200)
    return (await response.json()) as TrackingBody
  }
  const until = (id: string, accept: (tracking: TrackingBody) => boolean) =>
    eventually(() => read(id), accept)

  it('detects the 1Z number, polls while UPS has nothing, follows the scans with one shared token, renews it once when revoked, and stops once collected', async () => {
    const created = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: '1z 5r8 939 0357 5671 27' }),
    })
    expect(created.status, await created.clone().text()).toBe(201)
    const { id, carrier, trackingNumber } = (await created.json()) as TrackingBody & {
      trackingNumber: string
    }
    expect({ carrier, trackingNumber }).toEqual({ carrier: 'ups', trackingNumber: NUMBER })

    const notFound = await until(id, (tracking) => tracking.lastCheckedAt !== undefined)
    expect(notFound).toMatchObject({ status: 'pending', events: [] })

    visible = 4
    const inTransit = await until(id, (tracking) => tracking.events.length === 4)
    expect(inTransit.status).toBe('in_transit')
    expect(inTransit.events.map((event) => event.code)).toEqual(['M/MP', '160', '005', '005'])
    const callsBefore = fake.calls.length
    await eventually(
      async () => fake.calls.length,
      (count) => count >= callsBefore + 2,
    )
    expect(fake.tokens).toHaveLength(1)

    // UPS revokes the token: the next poll gets a 401, renews it once and carries on.
    fake.revokeTokens()
    visible = 6
    const atAccessPoint = await until(id, (tracking) => tracking.status === 'available_for_pickup')
    expect(atAccessPoint.events.at(-1)).toMatchObject({ code: 'D/2Q', status: 'available_for_pickup' })
    expect(fake.tokens).toHaveLength(2)

    visible = 7
    const collected = await until(id, (tracking) => tracking.status === 'delivered')
    expect(collected.events.map((event) => event.occurredAt)).toEqual([
      '2025-03-05T10:12:00+01:00',
      '2025-03-05T18:15:00+01:00',
      '2025-03-05T22:01:00+01:00',
      '2025-03-06T04:15:00+01:00',
      '2025-03-06T08:15:40+01:00',
      '2025-03-06T14:22:05+01:00',
      '2025-03-07T17:30:12+01:00',
    ])
    expect(new Set(collected.events.map((event) => event.id)).size).toBe(7)
    expect(collected).toMatchObject({ deliveredAt: '2025-03-07T17:30:12+01:00', pollingStopped: 'terminal' })

    expect(fake.tokens).toHaveLength(2)
    const transIds = fake.calls.map((call) => call.transId)
    expect(new Set(transIds).size).toBe(transIds.length)
    expect(fake.calls.every((call) => call.trackingNumber === NUMBER)).toBe(true)
  })
})
