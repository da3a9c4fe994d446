import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { expectProblem, type TrackingBody } from './tracking-api.js'

/** Colis Privé shows a parcel only to whoever gives its number and destination postal code together. */
describe('registering a parcel of a carrier that needs the destination postal code', () => {
  let harness: MemoryHarness
  let key: string

  beforeAll(async () => {
    harness = await createMemoryHarness('api-registration-postal-code')
    key = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  const register = (body: unknown) =>
    harness.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })

  it('answers 422 destination_postal_code_required, pointing at the missing field', async () => {
    const problem = await expectProblem(
      await register({ trackingNumber: '991122334455', carrier: 'colisprive' }),
      422,
      'destination_postal_code_required',
    )
    expect(problem.detail).toMatch(/Colis Privé .*destinationPostalCode/)
    expect(problem.errors).toEqual([
      { pointer: '/destinationPostalCode', detail: 'required by this carrier' },
    ])
  })

  it('registers it with the postal code, stored as given', async () => {
    const response = await register({
      trackingNumber: '9911 2233 4455',
      carrier: 'colisprive',
      destinationPostalCode: '75 012',
    })
    const text = await response.text()
    expect(response.status, text).toBe(201)
    expect(JSON.parse(text) as TrackingBody).toMatchObject({
      carrier: 'colisprive',
      trackingNumber: '991122334455',
      destinationPostalCode: '75012',
    })
  })

  it('checks the number first: a malformed one is invalid_tracking_number, postal code or not', async () => {
    await expectProblem(
      await register({ trackingNumber: '9911223344557501', carrier: 'colisprive' }),
      422,
      'invalid_tracking_number',
    )
  })

  it('reads the postal code from a number that ends with it, and picks Colis Privé for it', async () => {
    const french = await register({ trackingNumber: 'AB1234567899 75001' })
    const text = await french.text()
    expect(french.status, text).toBe(201)
    expect(JSON.parse(text) as TrackingBody).toMatchObject({
      carrier: 'colisprive',
      trackingNumber: 'AB1234567899',
      destinationPostalCode: '75001',
    })
    const belgian = await register({ trackingNumber: 'AB1234567891B1000', carrier: 'colisprive' })
    expect((await belgian.json()) as TrackingBody).toMatchObject({
      trackingNumber: 'AB1234567891',
      destinationCountry: 'BE',
      destinationPostalCode: 'B1000',
    })
  })

  it('refuses a number whose postal code contradicts the one given', async () => {
    const problem = await expectProblem(
      await register({ trackingNumber: 'AB123456789275001', destinationPostalCode: '69003' }),
      422,
      'invalid_tracking_number',
    )
    expect(problem.detail).toMatch(/75001/)
    await expectProblem(
      await register({ trackingNumber: 'AB1234567893B1000', destinationCountry: 'FR' }),
      422,
      'invalid_tracking_number',
    )
  })

  it('answers the same for a batch item, without costing the others', async () => {
    const response = await harness.request(key, '/v1/trackings/batch', {
      method: 'POST',
      body: JSON.stringify({
        trackings: [
          { trackingNumber: 'AB1234567890', carrier: 'colisprive' },
          { trackingNumber: 'AB1234567890', carrier: 'colisprive', destinationPostalCode: '69003' },
        ],
      }),
    })
    expect(response.status).toBe(200)
    const { results } = (await response.json()) as {
      results: Array<{ status: number; body: { code?: string } }>
    }
    expect(results.map((result) => [result.status, result.body.code])).toEqual([
      [422, 'destination_postal_code_required'],
      [201, undefined],
    ])
  })

  it('asks no postal code of the carriers that do not need one', async () => {
    const response = await register({ trackingNumber: '60483186262', carrier: 'gls' })
    expect(response.status).toBe(201)
  })
})
