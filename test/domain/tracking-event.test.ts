import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { formatWithOffset, normalizeCarrierTimestamp } from '../../src/domain/paris-time.js'
import {
  createEventId,
  type EventDraft,
  type EventLocation,
  withEventId,
} from '../../src/domain/tracking-event.js'
import { propertyRuns } from '../support/property-runs.js'

const CARRIER = 'laposte'
const NUMBER = '6A15602676300'

const DRAFT: EventDraft = {
  occurredAt: '2023-03-09T10:00:00+01:00',
  status: 'in_transit',
  code: 'ET1',
  description: 'Votre colis est en cours d’acheminement.',
  location: { name: 'Plateforme Colis', city: 'Wissous', postalCode: '91320', countryCode: 'FR' },
}

const ID = createEventId(CARRIER, NUMBER, DRAFT)

describe('createEventId', () => {
  it('is a short opaque string', () => {
    expect(ID).toMatch(/^evt_[A-Za-z0-9_-]{22}$/)
  })

  it('is the same for the same scan, every time it is polled', () => {
    expect(createEventId(CARRIER, NUMBER, { ...DRAFT })).toBe(ID)
    expect(createEventId(CARRIER, NUMBER, structuredClone(DRAFT))).toBe(ID)
  })

  it('ignores the wording, the language and the details', () => {
    const english = {
      ...DRAFT,
      description: 'Your parcel is on its way.',
      details: { infoComp: 'x' },
    }
    expect(createEventId(CARRIER, NUMBER, english)).toBe(ID)
    expect(withEventId(CARRIER, NUMBER, english).id).toBe(ID)
  })

  it('ignores the mapped status, so history can be re-mapped without new ids', () => {
    expect(withEventId(CARRIER, NUMBER, { ...DRAFT, status: 'unknown' }).id).toBe(ID)
  })

  it.each([
    ['UTC with Z', '2023-03-09T09:00:00Z'],
    ['UTC with +00:00', '2023-03-09T09:00:00+00:00'],
    ['another zone', '2023-03-09T04:00:00-05:00'],
    ['compact offset', '2023-03-09T10:00:00+0100'],
    ['milliseconds', '2023-03-09T10:00:00.000+01:00'],
  ])('is the same for the same instant written with another offset (%s)', (_case, occurredAt) => {
    expect(createEventId(CARRIER, NUMBER, { ...DRAFT, occurredAt })).toBe(ID)
  })

  it('is the same for the same place written with other case or spaces', () => {
    const location = { name: ' PLATEFORME COLIS ', city: 'WISSOUS', postalCode: '91320 ', countryCode: 'fr' }
    expect(createEventId(CARRIER, NUMBER, { ...DRAFT, location })).toBe(ID)
  })

  it('treats a location with no field filled in as no location', () => {
    const none = createEventId(CARRIER, NUMBER, { ...DRAFT, location: undefined })
    const { location: _dropped, ...withoutLocation } = DRAFT
    expect(createEventId(CARRIER, NUMBER, withoutLocation)).toBe(none)
    expect(createEventId(CARRIER, NUMBER, { ...DRAFT, location: {} })).toBe(none)
    expect(createEventId(CARRIER, NUMBER, { ...DRAFT, location: { name: '', city: '  ' } })).toBe(none)
    expect(none).not.toBe(ID)
  })

  it.each<[string, string, string, Partial<EventDraft>]>([
    ['carrier', 'chronopost', NUMBER, {}],
    ['tracking number', CARRIER, '6A15602683841', {}],
    ['code', CARRIER, NUMBER, { code: 'PC1' }],
    ['instant, one second later', CARRIER, NUMBER, { occurredAt: '2023-03-09T10:00:01+01:00' }],
    ['same wall time, other offset', CARRIER, NUMBER, { occurredAt: '2023-03-09T10:00:00+02:00' }],
    ['place name', CARRIER, NUMBER, { location: { ...DRAFT.location, name: 'Agence' } }],
    ['city', CARRIER, NUMBER, { location: { ...DRAFT.location, city: 'Paris' } }],
    ['postal code', CARRIER, NUMBER, { location: { ...DRAFT.location, postalCode: '75001' } }],
    ['country', CARRIER, NUMBER, { location: { ...DRAFT.location, countryCode: 'BE' } }],
    ['no location', CARRIER, NUMBER, { location: undefined }],
  ])('differs when the %s differs', (_case, carrier, trackingNumber, change) => {
    expect(createEventId(carrier, trackingNumber, { ...DRAFT, ...change })).not.toBe(ID)
  })

  it('tells two scans of the same code at two moments apart', () => {
    const first = createEventId(CARRIER, NUMBER, { ...DRAFT, occurredAt: '2023-03-09T10:00:00+01:00' })
    const second = createEventId(CARRIER, NUMBER, { ...DRAFT, occurredAt: '2023-03-10T10:00:00+01:00' })
    expect(first).not.toBe(second)
  })

  const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) })
  const offsetMinutes = fc.integer({ min: -48, max: 56 }).map((quarters) => quarters * 15)
  const text = fc.string({ maxLength: 12 })
  const location: fc.Arbitrary<EventLocation | undefined> = fc.option(
    fc.record({ name: text, city: text, postalCode: text, countryCode: text }, { requiredKeys: [] }),
    { nil: undefined },
  )
  const scan = fc.record({
    carrier: fc.constantFrom<string>('laposte', 'chronopost', 'sandbox'),
    trackingNumber: fc.stringMatching(/^[0-9A-Z]{13}$/),
    code: fc.stringMatching(/^[A-Z]{2,3}\d?$/),
    instant,
    location,
  })

  it('is stable whatever offset the instant is written with (property)', () => {
    fc.assert(
      fc.property(scan, offsetMinutes, offsetMinutes, (s, a, b) => {
        const idA = createEventId(s.carrier, s.trackingNumber, {
          code: s.code,
          occurredAt: formatWithOffset(s.instant, a),
          location: s.location,
        })
        const idB = createEventId(s.carrier, s.trackingNumber, {
          code: s.code,
          occurredAt: formatWithOffset(s.instant, b),
          location: s.location,
        })
        expect(idA).toBe(idB)
        const normalized = normalizeCarrierTimestamp(formatWithOffset(s.instant, a)) ?? ''
        expect(createEventId(s.carrier, s.trackingNumber, { ...s, occurredAt: normalized })).toBe(idA)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('changes when exactly one part of the identity changes (property)', () => {
    const part = fc.constantFrom('carrier', 'trackingNumber', 'code', 'instant', 'name', 'city')
    fc.assert(
      fc.property(scan, part, fc.string({ minLength: 1, maxLength: 8 }), (s, changed, extra) => {
        const draftOf = (x: typeof s) => ({
          code: x.code,
          occurredAt: formatWithOffset(x.instant, 60),
          location: x.location,
        })
        const other = { ...s, location: { ...s.location } }
        const suffix = `${extra.trim().toLowerCase()}x`
        switch (changed) {
          case 'carrier':
            other.carrier = `${s.carrier}${suffix}`
            break
          case 'trackingNumber':
            other.trackingNumber = `${s.trackingNumber}${suffix}`
            break
          case 'code':
            other.code = `${s.code}${suffix}`
            break
          case 'instant':
            other.instant = s.instant + 1000
            break
          case 'name':
            other.location.name = `${s.location?.name ?? ''}${suffix}`
            break
          case 'city':
            other.location.city = `${s.location?.city ?? ''}${suffix}`
            break
        }
        expect(createEventId(other.carrier, other.trackingNumber, draftOf(other))).not.toBe(
          createEventId(s.carrier, s.trackingNumber, draftOf(s)),
        )
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('withEventId', () => {
  it('adds the id and keeps every field of the draft', () => {
    const event = withEventId(CARRIER, NUMBER, { ...DRAFT, details: { relay: 'R123' } })
    expect(event).toEqual({ id: ID, ...DRAFT, details: { relay: 'R123' } })
  })
})
