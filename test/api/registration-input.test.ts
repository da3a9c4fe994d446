import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addCalendarDays, easterSunday, parisDateOf } from '../../src/domain/business-calendar.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { propertyRuns } from '../support/property-runs.js'
import { expectProblem, laPosteNumber, type TrackingBody } from './tracking-api.js'

/** Nested objects `{"a":{"a":…}}`, `levels` of them counting the outer one. */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 }
  for (let level = 1; level < levels; level++) value = { a: value }
  return value
}

describe('registration input', () => {
  let harness: MemoryHarness
  let key: string
  let serial = 1000

  beforeAll(async () => {
    harness = await createMemoryHarness('api-registration-input')
    key = (await harness.apiKeys.create('shop-a')).key
  })

  afterAll(async () => {
    await harness.close()
  })

  const post = (body: Record<string, unknown>) =>
    harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber: laPosteNumber(serial++), carrier: 'laposte', ...body }),
    })

  async function registered(body: Record<string, unknown>): Promise<TrackingBody> {
    const response = await post(body)
    const text = await response.text()
    expect(response.status, text).toBe(201)
    return JSON.parse(text) as TrackingBody
  }

  async function refused(body: Record<string, unknown>, pointer: string) {
    const problem = await expectProblem(await post(body), 400, 'validation_failed')
    expect(problem.errors?.map((error) => error.pointer)).toEqual([pointer])
    return problem
  }

  const today = () => parisDateOf(Date.now())

  describe('dates: a window around today (Paris) the business calendar covers', () => {
    it.each([
      ['the last day of year 9999', '9999-12-31'],
      ['year 0', '0000-01-01'],
      ['a date of 1900', '1900-03-01'],
      ['over two years ahead', () => addCalendarDays(today(), 733)],
      ['over a year ago', () => addCalendarDays(today(), -368)],
    ])('refuses a promisedDeliveryDate of %s with a pointer to it', async (_name, date) => {
      const problem = await refused(
        { promisedDeliveryDate: typeof date === 'function' ? date() : date },
        '/promisedDeliveryDate',
      )
      expect(problem.errors?.[0]?.detail).toMatch(/between \d{4}-\d{2}-\d{2} and \d{4}-\d{2}-\d{2}/)
    })

    it.each([
      ['year 0', '0000-01-01'],
      ['year 9999, plus 60 business days', '9999-12-20'],
      ['a date-time of year 9999', '9999-12-31T23:59:59+01:00'],
      ['a date-time of year 0', '0000-01-01T00:00:00Z'],
      ['over a year ahead', () => addCalendarDays(today(), 368)],
      ['over a year ago', () => addCalendarDays(today(), -368)],
    ])('refuses a promise shipped %s with a pointer to it', async (_name, shippedAt) => {
      await refused(
        {
          promise: { shippedAt: typeof shippedAt === 'function' ? shippedAt() : shippedAt, businessDays: 60 },
        },
        '/promise/shippedAt',
      )
    })

    it('takes dates inside the window, up to 60 business days after the last shipping day', async () => {
      const promised = addCalendarDays(today(), 728)
      expect((await registered({ promisedDeliveryDate: promised })).promisedDeliveryDate).toBe(promised)
      expect((await registered({ promisedDeliveryDate: addCalendarDays(today(), -363) })).status).toBe(
        'pending',
      )
      const late = await registered({
        promise: { shippedAt: addCalendarDays(today(), 363), businessDays: 60, dayKind: 'ouvres' },
      })
      expect(late.promisedDeliveryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(String(late.promisedDeliveryDate) > addCalendarDays(today(), 363 + 60)).toBe(true)
      const early = await registered({
        promise: { shippedAt: `${addCalendarDays(today(), -363)}T18:30:00+02:00`, businessDays: 0 },
      })
      expect(early.promisedDeliveryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    })
  })

  describe('destination', () => {
    it.each([
      ['Paris', '75011'],
      ['Metz (Alsace-Moselle)', '57000'],
      ['Ajaccio (Corse-du-Sud)', '20000'],
      ['Bastia (Haute-Corse)', '20200'],
      ['Pointe-à-Pitre (Guadeloupe)', '97110'],
      ['Saint-Denis (La Réunion)', '97400'],
      ['Mamoudzou (Mayotte)', '97600'],
      ['Monaco', '98000'],
      ['Papeete (Polynésie française)', '98714'],
      ['Nouméa (Nouvelle-Calédonie)', '98800'],
      ['a CEDEX code', '92041'],
    ])('takes the French postal code of %s', async (_name, code) => {
      expect((await registered({ destinationPostalCode: code })).destinationPostalCode).toBe(code)
    })

    it('keeps a French postal code written with a space, as five digits', async () => {
      expect((await registered({ destinationPostalCode: '75 011' })).destinationPostalCode).toBe('75011')
    })

    it.each(['abc', '999999', '7501', '00100', '96100', '97000', '97900', '98100', '99000', 'SW1A 1AA', ''])(
      'refuses %j as a French postal code',
      async (code) => {
        const problem = await refused({ destinationPostalCode: code }, '/destinationPostalCode')
        expect(problem.errors?.[0]?.detail).toMatch(/French postal code/)
      },
    )

    it('takes a foreign postal code with the destination country, and shows the country', async () => {
      const belgium = await registered({ destinationCountry: 'BE', destinationPostalCode: '1000' })
      expect(belgium).toMatchObject({ destinationCountry: 'BE', destinationPostalCode: '1000' })
      const britain = await registered({ destinationCountry: 'gb', destinationPostalCode: 'SW1A 1AA' })
      expect(britain).toMatchObject({ destinationCountry: 'GB', destinationPostalCode: 'SW1A 1AA' })
      expect(await registered({ destinationCountry: 'DE' })).toMatchObject({ destinationCountry: 'DE' })
      const france = await registered({ destinationCountry: 'FR', destinationPostalCode: '67000' })
      expect(france).toMatchObject({ destinationCountry: 'FR', destinationPostalCode: '67000' })
    })

    it('refuses an unknown country, and a foreign postal code of another shape', async () => {
      await refused({ destinationCountry: 'XX', destinationPostalCode: '1000' }, '/destinationCountry')
      await refused({ destinationCountry: 'FRA' }, '/destinationCountry')
      await refused(
        { destinationCountry: 'BE', destinationPostalCode: '<b>1000</b>' },
        '/destinationPostalCode',
      )
      await refused(
        { destinationCountry: 'BE', destinationPostalCode: '1'.repeat(11) },
        '/destinationPostalCode',
      )
      // The French overseas collectivities have ISO codes of their own, and French postal codes.
      await refused({ destinationCountry: 'GP', destinationPostalCode: 'abc' }, '/destinationPostalCode')
      expect((await registered({ destinationCountry: 'GP', destinationPostalCode: '97110' })).status).toBe(
        'pending',
      )
    })

    it('counts business days on the destination calendar only for a French destination', async () => {
      // Shipped the Thursday before Easter: Good Friday is a holiday in Alsace-Moselle only.
      const thursday = addCalendarDays(easterSunday(Number(today().slice(0, 4))), -3)
      const promise = { shippedAt: thursday, businessDays: 1, dayKind: 'ouvres' }
      const metz = await registered({ promise, destinationPostalCode: '57000' })
      const paris = await registered({ promise, destinationPostalCode: '75011' })
      // A Belgian code that starts like a Moselle one is not read as French.
      const liege = await registered({ promise, destinationCountry: 'BE', destinationPostalCode: '5700' })
      expect(paris.promisedDeliveryDate).toBe(addCalendarDays(thursday, 1))
      expect(metz.promisedDeliveryDate).toBe(addCalendarDays(thursday, 5))
      expect(liege.promisedDeliveryDate).toBe(paris.promisedDeliveryDate)
    })
  })

  it('answers any date, postal code or country with a registration or a client error, never a 500', async () => {
    const instant = fc.date({
      min: new Date('0000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    const date = fc.oneof(
      instant.map((at) => at.toISOString().slice(0, 10)),
      fc.integer({ min: -800, max: 800 }).map((days) => addCalendarDays(today(), days)),
    )
    const dateOrTime = fc.oneof(
      date,
      instant.map((at) => at.toISOString()),
    )
    const item = fc.record(
      {
        promisedDeliveryDate: date,
        promise: fc.record(
          {
            shippedAt: dateOrTime,
            businessDays: fc.integer({ min: 0, max: 60 }),
            dayKind: fc.constantFrom('ouvrables', 'ouvres'),
          },
          { requiredKeys: ['shippedAt', 'businessDays'] },
        ),
        destinationCountry: fc.constantFrom('FR', 'BE', 'GP', 'MC', 'US', 'fr', 'XX', 'FRA', '', '12'),
        destinationPostalCode: fc.oneof(fc.stringMatching(/^[0-9 ]{0,7}$/), fc.string({ maxLength: 12 })),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(item, async (fields) => {
        const response = await post(fields)
        expect([201, 400], await response.text()).toContain(response.status)
      }),
      { numRuns: propertyRuns(300) },
    )
  })

  describe('metadata', () => {
    it('refuses metadata nested 6,000 levels deep (a 36 KB body) with a pointer to it', async () => {
      // Written as text: a recursive JSON.stringify cannot take it either.
      const metadata = `${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}`
      const body = `{"trackingNumber":"${laPosteNumber(serial++)}","carrier":"laposte","metadata":${metadata}}`
      expect(body.length).toBeLessThan(64 * 1024)
      const response = await harness.request(key, '/v1/trackings', { method: 'POST', body })
      const problem = await expectProblem(response, 400, 'validation_failed')
      expect(problem.errors).toEqual([{ pointer: '/metadata', detail: expect.stringMatching(/8 levels/) }])
    })

    it('takes metadata 8 levels deep, and refuses 9', async () => {
      expect((await registered({ metadata: nested(8) })).metadata).toEqual(nested(8))
      await refused({ metadata: nested(9) }, '/metadata')
      await refused({ metadata: { list: [[[[[[[[1]]]]]]]] } }, '/metadata')
    })

    it('takes up to 256 entries (keys and array items), and refuses more', async () => {
      const items = (count: number) => ({ list: Array.from({ length: count }, () => 0) })
      expect((await registered({ metadata: items(255) })).metadata).toEqual(items(255))
      const problem = await refused({ metadata: items(256) }, '/metadata')
      expect(problem.errors?.[0]?.detail).toMatch(/256 entries/)
    })
  })
})
