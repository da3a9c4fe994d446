import { describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { createChronopostAdapter } from '../../adapters/chronopost/index.js'
import type { CarrierAdapter } from '../../adapters/contract.js'
import { detectCarrier } from '../../adapters/detect.js'
import { checkDpdNumber, claimDpdNumber, explainDpdNumberProblem } from '../../adapters/dpd/number.js'
import { createLaPosteAdapter } from '../../adapters/laposte/index.js'
import { normalizeTrackingNumber } from '../../src/domain/tracking-number.js'
import { createSilentLogger } from '../../src/logger.js'
import { createAdapter } from './dpd-support.js'

/**
 * DPD's vectors of the research vector file (`dpd_14_plus_check`, `dpd_28_barcode`, `dpd_france`), each
 * as written there, with its public source: jkeen/tracking_number_data couriers/dpd.json, and the DPD
 * France adapter test of plhery/delivery-tracker (public shipments).
 */
const VALID: Array<{ number: string; parcel: string; confidence: number }> = [
  { number: '09 9800 0002 0033 F', parcel: '09980000020033', confidence: 0.9 },
  { number: '0998 0000 0200 34D', parcel: '09980000020034', confidence: 0.9 },
  { number: '00 81827 0998 0000 0200 33 350 276 C', parcel: '09980000020033', confidence: 0.9 },
  { number: '0081 827 0998 0000 0200 45 327 276 N', parcel: '09980000020045', confidence: 0.9 },
  { number: '250803383035673', parcel: '250803383035673', confidence: 0.9 },
  { number: '2508033830356734', parcel: '250803383035673', confidence: 0.95 },
  { number: '10654000122441', parcel: '10654000122441', confidence: 0.8 },
  { number: '10658000986984', parcel: '10658000986984', confidence: 0.8 },
  { number: '1059 4002 3786 11', parcel: '10594002378611', confidence: 0.8 },
]

const INVALID: Array<{ number: string; reason: string }> = [
  { number: '09980000020033D', reason: 'check character is D, expected F' },
  { number: '008182709980000020033350276A', reason: 'check character is A, expected C' },
  { number: '0081 827 0998 0000 0200 45 000 000 N', reason: 'check character is N, expected J' },
  { number: '25080338303', reason: 'not a DPD France tracking number format' },
  { number: '2508033830356730', reason: 'GS1 check digit is 0, expected 4' },
  { number: '350803383035673', reason: 'check character is 3, expected P' },
  { number: '25080338303567A', reason: 'check character is A, expected 3' },
]

/** La Poste's own 15-character vectors (tracking-numbers.json, `laposte_15_mod37_36`): the same shape. */
const LAPOSTE_15 = ['861011301731382', '87000634002228A', '87000720168020K', '13199341485349X']

describe('dpd: numbers', () => {
  it.each(VALID)(
    'accepts $number as parcel $parcel, claimed at $confidence',
    ({ number, parcel, confidence }) => {
      const normalized = normalizeTrackingNumber(number)
      expect(checkDpdNumber(normalized)).toEqual({ ok: true, trackingNumber: parcel })
      expect(claimDpdNumber(normalized)?.confidence).toBe(confidence)
      expect(explainDpdNumberProblem(normalized)).toBeUndefined()
    },
  )

  it.each(INVALID)('refuses $number: $reason', ({ number, reason }) => {
    const normalized = normalizeTrackingNumber(number)
    const check = checkDpdNumber(normalized)
    expect(check.ok).toBe(false)
    if (!check.ok) expect(check.reason).toContain(reason)
    expect(claimDpdNumber(normalized)).toBeUndefined()
  })

  it('claims La Poste 15-character numbers outside its depot ranges only as well formed, below La Poste', () => {
    for (const number of LAPOSTE_15) {
      expect(claimDpdNumber(number), number).toEqual({
        confidence: 0.3,
        reason:
          'well-formed DPD shape (check character OK) outside DPD France depot ranges; La Poste shares it',
      })
    }
  })

  it('leaves Chronopost 14-digit numbers that do not start with 0 or 1 alone', () => {
    expect(checkDpdNumber('89108749065090').ok).toBe(false)
    expect(claimDpdNumber('89108749065090')).toBeUndefined()
  })

  it('names the barcode country and the shared shapes in its reasons', () => {
    expect(claimDpdNumber('008182709980000020033350276C')?.reason).toContain('country 276')
    expect(claimDpdNumber('250803383035673')?.reason).toContain('250 = France')
    expect(claimDpdNumber('10654000122441')?.reason).toContain('depot range (10…)')
    expect(claimDpdNumber('13199341485349')?.reason).toContain('Chronopost')
    expect(claimDpdNumber('13199341485349')).toMatchObject({ confidence: 0.3 })
  })

  describe('among La Poste and Chronopost', () => {
    const http = createCarrierHttp({ carrier: 'detect', timeoutMs: 1000 })
    const logger = createSilentLogger()
    const rateLimit = { max: 1, durationMs: 1000 }
    const carriers: CarrierAdapter[] = [
      createLaPosteAdapter({
        http,
        logger,
        apiKey: 'key',
        baseUrl: 'https://l.test',
        lang: 'fr_FR',
        rateLimit,
        batchSize: 10,
      }),
      createChronopostAdapter({ http, logger, baseUrl: 'https://c.test', language: 'fr_FR', rateLimit }),
      createAdapter(),
    ]

    it('wins on its own shapes and documented ranges: barcode, 250…, depots 0… and 10…', () => {
      for (const number of [
        '008182709980000020033350276C',
        '2508033830356734',
        '250803383035673',
        '10654000122441',
        '09980000020033F',
      ]) {
        const detection = detectCarrier(number, carriers)
        expect(detection.winner, number).toBe('dpd')
        // La Poste and Chronopost print the same shapes: they stay listed, below.
        if (number.length <= 15) expect(detection.candidates.length, number).toBeGreaterThan(1)
      }
    })

    it('never wins a shape it shares outside its ranges: La Poste leads there, or nobody wins', () => {
      expect(detectCarrier('87000634002228A', carriers).winner).toBe('laposte')
      expect(detectCarrier('13199341485349', carriers).winner).toBe('chronopost')
      const shared = detectCarrier('13199341485349X', carriers)
      expect(shared.winner).toBeUndefined()
      expect(shared.candidates.map((candidate) => candidate.carrier)).toEqual([
        'laposte',
        'chronopost',
        'dpd',
      ])
    })

    it('explains a wrong check digit of its shapes', () => {
      expect(detectCarrier('2508033830356730', carriers).problems).toEqual([
        'GS1 check digit is 0, expected 4',
      ])
    })
  })
})
