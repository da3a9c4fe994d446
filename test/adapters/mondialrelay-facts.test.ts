import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { signTracingRequest } from '../../adapters/mondialrelay/client.js'
import { MONDIALRELAY_FACTS } from '../../adapters/mondialrelay/index.js'
import {
  checkMondialRelayNumber,
  claimMondialRelayNumber,
  explainMondialRelayNumberProblem,
} from '../../adapters/mondialrelay/number.js'
import { alertFactsOf } from '../../adapters/registry.js'
import { addCalendarDays, endOfParisDay, parisDateOf } from '../../src/domain/business-calendar.js'
import { alertPolicyFor, evaluateAlertConditions, nextAlertCheckAt } from '../../src/domain/delay-alerts.js'
import { formatInZone, PARIS } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { mondialRelayAnswer } from '../support/mondialrelay-answer.js'
import { propertyRuns } from '../support/property-runs.js'
import { registeredRecord } from '../support/tracking-record.js'
import { createAdapter, parseSnapshot } from './mondialrelay-setup.js'

interface Vectors {
  mondialrelay_security_md5: {
    vectors: Array<{
      Enseigne: string
      Expedition: string
      Langue: string
      PrivateKey: string
      Security: string
    }>
  }
  mondialrelay_expedition: { examples: Array<{ number: string }> }
  mondialrelay_label_barcode_26: { valid: Array<{ number: string }>; invalid: Array<{ number: string }> }
}

const VECTORS = JSON.parse(
  readFileSync(new URL('../fixtures/samples/tracking-numbers-more.json', import.meta.url), 'utf8'),
) as Vectors

describe('mondialrelay: Security signature', () => {
  it.each(VECTORS.mondialrelay_security_md5.vectors)(
    'signs $Enseigne / $Expedition / $Langue with key $PrivateKey as $Security',
    ({ Enseigne, Expedition, Langue, PrivateKey, Security }) => {
      const signature = signTracingRequest(
        { enseigne: Enseigne, expedition: Expedition, langue: Langue },
        PrivateKey,
      )
      expect(signature).toBe(Security)
      expect(signature).not.toContain(PrivateKey)
    },
  )

  it('signs each call anew: another number or key gives another signature', () => {
    const request = { enseigne: 'BDTEST13', expedition: '31234567', langue: 'FR' }
    const signature = signTracingRequest(request, 'PrivateK')
    expect(signTracingRequest({ ...request, expedition: '31234568' }, 'PrivateK')).not.toBe(signature)
    expect(signTracingRequest(request, 'PrivateL')).not.toBe(signature)
    expect(signature).toMatch(/^[0-9A-F]{32}$/)
  })
})

/** The label check digit as published (weights 2–7 from the right, 11 − sum mod 11, 10/11 → 0). */
function checkOracle(digits: string): number {
  const weights = [2, 3, 4, 5, 6, 7]
  const sum = [...digits]
    .reverse()
    .reduce((total, digit, index) => total + Number(digit) * (weights[index % 6] ?? 0), 0)
  const check = 11 - (sum % 11)
  return check === 10 || check === 11 ? 0 : check
}

describe('mondialrelay: numbers', () => {
  it.each(VECTORS.mondialrelay_expedition.examples)(
    'accepts and claims the shipment number $number',
    ({ number }) => {
      expect(checkMondialRelayNumber(number)).toEqual({ ok: true, trackingNumber: number })
      expect(claimMondialRelayNumber(number)).toEqual({
        confidence: 0.6,
        reason: '8-digit Mondial Relay shipment number (it has no check digit: from its shape only)',
      })
      expect(explainMondialRelayNumberProblem(number)).toBeUndefined()
    },
  )

  it.each(VECTORS.mondialrelay_label_barcode_26.valid)(
    'tracks the label barcode $number as its shipment',
    ({ number }) => {
      expect(checkMondialRelayNumber(number)).toEqual({ ok: true, trackingNumber: number.slice(2, 10) })
      expect(claimMondialRelayNumber(number)?.confidence).toBe(0.95)
      expect(explainMondialRelayNumberProblem(number)).toBeUndefined()
    },
  )

  it.each(VECTORS.mondialrelay_label_barcode_26.invalid)(
    'refuses the label barcode $number, saying why',
    ({ number }) => {
      const reason = 'Mondial Relay label barcode: second check digit is 5, expected 4'
      expect(checkMondialRelayNumber(number)).toEqual({ ok: false, reason })
      expect(claimMondialRelayNumber(number)).toBeUndefined()
      expect(explainMondialRelayNumberProblem(number)).toBe(reason)
    },
  )

  it.each([
    ['12123456780101106623123454', 'first check digit is 1, expected 0'],
    ['12123456780002006623123454', 'parcel 0 of 2 is not a parcel of the shipment'],
    ['12123456780302006623123454', 'parcel 3 of 2 is not a parcel of the shipment'],
  ])('refuses %s: %s', (number, why) => {
    const valid = `${number.slice(0, 14)}${checkOracle(number.slice(0, 14))}${number.slice(15)}`
    const barcode = why.startsWith('first') ? number : valid
    expect(checkMondialRelayNumber(barcode)).toEqual({
      ok: false,
      reason: `Mondial Relay label barcode: ${why}`,
    })
    expect(claimMondialRelayNumber(barcode)).toBeUndefined()
  })

  it('claims nothing of other carriers’ shapes, nor of the public site’s 10- and 12-digit forms', () => {
    for (const number of [
      '6A15602676300',
      'XY746876977FR',
      '89108749065090',
      '3123456701',
      '121234567801',
      '1234567',
    ]) {
      expect(checkMondialRelayNumber(number).ok, number).toBe(false)
      expect(claimMondialRelayNumber(number), number).toBeUndefined()
      expect(explainMondialRelayNumberProblem(number), number).toBeUndefined()
    }
  })

  it('agrees with the published check digits on random barcodes', () => {
    const barcode = fc
      .tuple(
        fc.stringMatching(/^\d{10}$/),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 99 }),
        fc.stringMatching(/^\d{10}$/),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
      )
      .map(([head, count, sequence, routing, first, second]) => {
        const start = `${head}${String(sequence).padStart(2, '0')}${String(count).padStart(2, '0')}`
        return {
          number: `${start}${first}${routing}${second}`,
          start,
          routing,
          first,
          second,
          sequence,
          count,
        }
      })
    fc.assert(
      fc.property(barcode, ({ number, start, routing, first, second, sequence, count }) => {
        const valid =
          first === checkOracle(start) &&
          second === checkOracle(routing) &&
          sequence >= 1 &&
          sequence <= count
        const check = checkMondialRelayNumber(number)
        expect(check.ok).toBe(valid)
        if (check.ok) expect(check.trackingNumber).toBe(number.slice(2, 10))
        expect(explainMondialRelayNumberProblem(number) === undefined).toBe(valid)
      }),
      { numRuns: propertyRuns(1000) },
    )
  })

  it('never throws on arbitrary input, and accepts exactly what it checks', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^\d{6,28}$/)),
        (text) => {
          const check = checkMondialRelayNumber(text)
          if (!check.ok) expect(check.reason.length).toBeGreaterThan(5)
          if (claimMondialRelayNumber(text)) expect(check.ok).toBe(true)
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('mondialrelay: pickup hold', () => {
  const http = createCarrierHttp({ carrier: 'mondialrelay', timeoutMs: 2000 })

  /** When the sweep opens pickup_expiring for a parcel that reached its relay at `arrival` (dd/mm/yy, HH:MM). */
  function pickupAlertAt(date: string, time: string): { arrivedAt: string; alertAt: number } {
    const answer = mondialRelayAnswer(81, [
      { label: 'DISPONIBLE AU POINT RELAIS', date, time, relayNumber: '020371', relayCountry: 'FR' },
    ])
    const snapshot = parseSnapshot(createAdapter(http), answer, { trackingNumber: '31234567' })
    const status = deriveTrackingStatus(snapshot.events)
    expect(status).toBe('available_for_pickup')
    const arrivedAt = snapshot.events.at(-1)?.occurredAt ?? ''
    const record = registeredRecord({
      carrier: 'mondialrelay',
      trackingNumber: '31234567',
      status,
      lastNewEventAt: arrivedAt,
    })
    const policy = alertPolicyFor(alertFactsOf('mondialrelay'), snapshot.service)
    const alertInput = { record, events: snapshot.events, policy, nowMs: Date.parse(arrivedAt) }
    const alertAt = nextAlertCheckAt(alertInput) ?? Number.NaN
    expect(evaluateAlertConditions({ ...alertInput, nowMs: alertAt - 1 }).has('pickup_expiring')).toBe(false)
    expect(evaluateAlertConditions({ ...alertInput, nowMs: alertAt }).get('pickup_expiring')).toEqual({
      waitingSince: arrivedAt,
      holdDays: 5,
      lastCollectionDay: lastCollectionDay(arrivedAt),
    })
    return { arrivedAt, alertAt }
  }

  /** The last day a relay keeps the parcel: the arrival day plus 5 calendar days, Paris time. */
  const lastCollectionDay = (arrivedAt: string) => addCalendarDays(parisDateOf(Date.parse(arrivedAt)), 5)
  const returnedAfter = (arrivedAt: string) => endOfParisDay(lastCollectionDay(arrivedAt))

  it('holds 5 calendar days, not the 10 a carrier without facts gets', () => {
    expect(MONDIALRELAY_FACTS.pickupHoldDays).toBe(5)
    expect(alertPolicyFor(alertFactsOf('mondialrelay'), undefined).pickupHoldDays).toBe(5)
  })

  it('opens pickup_expiring at 09:00 two days before the last day at the relay', () => {
    const { arrivedAt, alertAt } = pickupAlertAt('22/10/25', '18:00')
    expect(arrivedAt).toBe('2025-10-22T18:00:00+02:00')
    expect(lastCollectionDay(arrivedAt)).toBe('2025-10-27')
    expect(alertAt).toBe(Date.parse('2025-10-25T09:00:00+02:00'))
  })

  it('opens it before the parcel goes back whatever the arrival time, DST changes included', () => {
    const arrival = fc
      .tuple(
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 25, max: 27 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
      )
      .map(([day, month, year, hour, minute]) => {
        const two = (value: number) => String(value).padStart(2, '0')
        return [`${two(day)}/${two(month)}/${year}`, `${two(hour)}:${two(minute)}`] as const
      })
    fc.assert(
      fc.property(arrival, ([date, time]) => {
        const { arrivedAt, alertAt } = pickupAlertAt(date, time)
        expect(alertAt).toBeGreaterThan(Date.parse(arrivedAt))
        expect(alertAt).toBeLessThan(returnedAfter(arrivedAt))
        // Two days of notice, the morning of the day the shopper can still plan a visit.
        const noticeDay = addCalendarDays(lastCollectionDay(arrivedAt), -2)
        expect(formatInZone(alertAt, PARIS).slice(0, 19)).toBe(`${noticeDay}T09:00:00`)
      }),
      { numRuns: propertyRuns(100) },
    )
  })
})
