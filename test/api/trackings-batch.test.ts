import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { laPosteNumber, type Problem, type TrackingBody } from './tracking-api.js'

interface BatchBody {
  results: Array<{ status: number; body: TrackingBody & Problem }>
}

describe('POST /v1/trackings/batch', () => {
  let harness: MemoryHarness
  let keyA: string
  let keyB: string

  beforeAll(async () => {
    harness = await createMemoryHarness('api-trackings-batch')
    keyA = (await harness.apiKeys.create('shop-a')).key
    keyB = (await harness.apiKeys.create('shop-b')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  const batch = (key: string, body: unknown) =>
    harness.request(key, '/v1/trackings/batch', {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })

  const single = (key: string, body: unknown) =>
    harness.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })

  async function results(key: string, trackings: unknown[]) {
    const response = await batch(key, { trackings })
    expect(response.status).toBe(200)
    return ((await response.json()) as BatchBody).results
  }

  /** What the single call answers for the same item, without the per-request fields. */
  async function singleProblem(key: string, item: unknown) {
    const response = await single(key, item)
    const { requestId: _id, instance: _instance, ...problem } = (await response.json()) as Problem
    return { status: response.status, problem }
  }

  it('registers every item in order: 201 with the tracking view, as the single call', async () => {
    const numbers = [laPosteNumber(101), laPosteNumber(102), laPosteNumber(103)]
    const answers = await results(
      keyA,
      numbers.map((trackingNumber, index) => ({ trackingNumber, carrier: 'laposte', orderId: `B-${index}` })),
    )
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201])
    answers.forEach((answer, index) => {
      expect(answer.body).toMatchObject({
        trackingNumber: numbers[index],
        carrier: 'laposte',
        status: 'pending',
        orderId: `B-${index}`,
        events: [],
      })
      expect(answer.body.id).toMatch(/^trk_[A-Za-z0-9]{20}$/)
      expect(answer.body).not.toHaveProperty('merchantId')
    })
    // They are real trackings: readable one by one, and listed.
    const read = await harness.request(keyA, `/v1/trackings/${answers[1]?.body.id}`)
    expect(read.status).toBe(200)
    expect(((await read.json()) as TrackingBody).orderId).toBe('B-1')
    // And the single call finds them (200, same id).
    const again = await single(keyA, { trackingNumber: numbers[2], carrier: 'laposte' })
    expect(again.status).toBe(200)
    expect(((await again.json()) as TrackingBody).id).toBe(answers[2]?.body.id)
  })

  it('answers 200 with the existing tracking for a number registered before', async () => {
    const number = laPosteNumber(110)
    const first = (await (
      await single(keyA, { trackingNumber: number, carrier: 'laposte' })
    ).json()) as TrackingBody
    const [answer] = await results(keyA, [{ trackingNumber: number, carrier: 'laposte' }])
    expect(answer?.status).toBe(200)
    expect(answer?.body.id).toBe(first.id)
  })

  it('creates a number given twice in one batch once: first 201, then 200 with the same id', async () => {
    const number = laPosteNumber(120)
    const answers = await results(keyA, [
      { trackingNumber: number, carrier: 'laposte' },
      { trackingNumber: laPosteNumber(121), carrier: 'laposte' },
      // The same number, written differently: normalization makes it the same parcel.
      { trackingNumber: `${number.slice(0, 5)} ${number.slice(5).toLowerCase()}`, carrier: 'laposte' },
    ])
    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 200])
    expect(answers[2]?.body.id).toBe(answers[0]?.body.id)
    expect(answers[2]?.body.trackingNumber).toBe(number)
    const listed = (await (await harness.request(keyA, '/v1/trackings?limit=100')).json()) as {
      data: TrackingBody[]
    }
    expect(listed.data.filter((tracking) => tracking.trackingNumber === number)).toHaveLength(1)
  })

  it('answers each bad item with the status and problem body of the single call, the others registered', async () => {
    const bad = [
      { trackingNumber: '8K00009775863', carrier: 'laposte' },
      { trackingNumber: 'HELLO', carrier: 'laposte' },
      { trackingNumber: laPosteNumber(130), carrier: 'hermes' },
      { carrier: 'laposte', promisedDeliveryDate: '2026-13-45', merchantId: 'shop-b' },
      'not an object',
    ]
    const good = { trackingNumber: laPosteNumber(131), carrier: 'laposte' }
    const answers = await results(keyA, [bad[0], good, ...bad.slice(1)])
    expect(answers.map((answer) => answer.status)).toEqual([422, 201, 422, 422, 400, 400])
    expect(answers.map((answer) => answer.body.code)).toEqual([
      'invalid_tracking_number',
      undefined,
      'invalid_tracking_number',
      'unknown_carrier',
      'validation_failed',
      'validation_failed',
    ])
    expect(answers[0]?.body.detail).toMatch(/check digit is 3, expected 2/)
    expect(answers[3]?.body.carriers).toEqual(expect.arrayContaining(['laposte', 'sandbox']))
    expect((answers[4]?.body.errors ?? []).map((error) => error.pointer).sort()).toEqual([
      '/merchantId',
      '/promisedDeliveryDate',
      '/trackingNumber',
    ])
    const problems = answers.filter((answer) => answer.status >= 400)
    for (const [index, answer] of problems.entries()) {
      const { requestId, instance, ...problem } = answer.body
      expect(requestId).toEqual(expect.any(String))
      expect(instance).toBe('/v1/trackings/batch')
      expect(problem.type).toBe(`urn:colis:problem:${problem.code}`)
      const expected = await singleProblem(keyA, bad[index])
      expect(answer.status).toBe(expected.status)
      expect(problem).toEqual(expected.problem)
    }
  })

  it('answers each item out of bounds with its own problem, and registers the others', async () => {
    const good = (serial: number) => `{"trackingNumber":"${laPosteNumber(serial)}","carrier":"laposte"}`
    const bad = (fields: string) => `{"trackingNumber":"${laPosteNumber(169)}","carrier":"laposte",${fields}}`
    const items = [
      good(160),
      bad('"promisedDeliveryDate":"9999-12-31"'),
      bad('"promise":{"shippedAt":"0000-01-01","businessDays":2}'),
      good(161),
      bad('"promise":{"shippedAt":"9999-12-20","businessDays":60}'),
      bad(`"metadata":${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`),
      bad('"destinationPostalCode":"abc"'),
      good(162),
    ]
    const response = await batch(keyA, `{"trackings":[${items.join(',')}]}`)
    expect(response.status).toBe(200)
    const answers = ((await response.json()) as BatchBody).results
    expect(answers.map((answer) => answer.status)).toEqual([201, 400, 400, 201, 400, 400, 400, 201])
    expect(answers.map((answer) => answer.body.errors?.map((error) => error.pointer))).toEqual([
      undefined,
      ['/promisedDeliveryDate'],
      ['/promise/shippedAt'],
      undefined,
      ['/promise/shippedAt'],
      ['/metadata'],
      ['/destinationPostalCode'],
      undefined,
    ])
  })

  it('answers an item whose checks fail unexpectedly with its own 500, and registers the others', async () => {
    const failing = await createMemoryHarness(
      'api-trackings-batch-failing',
      {},
      {},
      {
        app: {
          alertPolicy: (record) => {
            if (record.orderId === 'breaks') throw new Error('an unexpected failure')
            return { stalledBusinessDays: 3, pickupHoldDays: 10, pickupNoticeDays: 2, dayKind: 'ouvrables' }
          },
        },
      },
    )
    try {
      const key = (await failing.apiKeys.create('shop-a')).key
      const response = await failing.request(key, '/v1/trackings/batch', {
        method: 'POST',
        body: JSON.stringify({
          trackings: [
            { trackingNumber: laPosteNumber(170), carrier: 'laposte' },
            { trackingNumber: laPosteNumber(171), carrier: 'laposte', orderId: 'breaks' },
            { trackingNumber: laPosteNumber(172), carrier: 'laposte' },
          ],
        }),
      })
      expect(response.status).toBe(200)
      const answers = ((await response.json()) as BatchBody).results
      expect(answers.map((answer) => answer.status)).toEqual([201, 500, 201])
      expect(answers[1]?.body).toMatchObject({
        code: 'internal',
        status: 500,
        type: 'urn:colis:problem:internal',
      })
      expect(JSON.stringify(answers[1]?.body)).not.toContain('an unexpected failure')
    } finally {
      await failing.close()
    }
  })

  it('answers 400 validation_failed for more than 1000 items, and registers none', async () => {
    const trackings = Array.from({ length: 1001 }, (_, index) => ({
      trackingNumber: laPosteNumber(10_000 + index),
      carrier: 'laposte',
    }))
    const response = await batch(keyA, { trackings })
    expect(response.status).toBe(400)
    const problem = (await response.json()) as Problem
    expect(problem.code).toBe('validation_failed')
    expect(problem.errors?.map((error) => error.pointer)).toEqual(['/trackings'])
    const check = await single(keyA, trackings[0])
    expect(check.status).toBe(201)
  })

  it('takes 1000 items in one call (a body over 64 KiB, up to 1 MiB)', async () => {
    const trackings = Array.from({ length: 1000 }, (_, index) => ({
      trackingNumber: laPosteNumber(20_000 + index),
      carrier: 'laposte',
      orderId: `ORDER-${String(index).padStart(20, '0')}`,
    }))
    const body = JSON.stringify({ trackings })
    expect(body.length).toBeGreaterThan(64 * 1024)
    const answers = await results(keyA, trackings)
    expect(answers).toHaveLength(1000)
    expect(answers.every((answer) => answer.status === 201)).toBe(true)
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1000)
    expect(answers[999]?.body.trackingNumber).toBe(laPosteNumber(20_999))
  })

  it('answers 413 for a body over 1 MiB, and the single call keeps its 64 KiB limit', async () => {
    const huge = JSON.stringify({ trackings: [{ trackingNumber: 'x'.repeat(1100 * 1024) }] })
    const response = await batch(keyA, huge)
    expect(response.status).toBe(413)
    expect(((await response.json()) as Problem).code).toBe('payload_too_large')
    const single64 = await harness.request(keyA, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: 'x', orderId: 'x'.repeat(70 * 1024) }),
    })
    expect(single64.status).toBe(413)
  })

  it('answers 400 for an envelope that is not {trackings: [...]}', async () => {
    for (const body of [{}, { trackings: [] }, { trackings: {} }, [], { trackings: [], extra: 1 }]) {
      const response = await batch(keyA, body)
      expect(response.status).toBe(400)
      expect(((await response.json()) as Problem).code).toBe('validation_failed')
    }
    const notJson = await batch(keyA, '{"trackings": [')
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as Problem).code).toBe('invalid_json')
  })

  it('needs an API key', async () => {
    const response = await harness.app.request('/v1/trackings/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trackings: [{ trackingNumber: laPosteNumber(140), carrier: 'laposte' }] }),
    })
    expect(response.status).toBe(401)
  })

  it('keeps merchants apart: the same number is a tracking of each, invisible to the other', async () => {
    const number = laPosteNumber(150)
    const [ofA] = await results(keyA, [{ trackingNumber: number, carrier: 'laposte' }])
    const [ofB, againB] = await results(keyB, [
      { trackingNumber: number, carrier: 'laposte' },
      { trackingNumber: number, carrier: 'laposte' },
    ])
    expect(ofA?.status).toBe(201)
    expect(ofB?.status).toBe(201)
    expect(againB?.status).toBe(200)
    expect(ofB?.body.id).not.toBe(ofA?.body.id)
    expect(againB?.body.id).toBe(ofB?.body.id)
    expect((await harness.request(keyB, `/v1/trackings/${ofA?.body.id}`)).status).toBe(404)
    expect((await harness.request(keyA, `/v1/trackings/${ofB?.body.id}`)).status).toBe(404)
    // A's number registered again by A is still A's own tracking.
    const [againA] = await results(keyA, [{ trackingNumber: number, carrier: 'laposte' }])
    expect(againA?.status).toBe(200)
    expect(againA?.body.id).toBe(ofA?.body.id)
  })
})
