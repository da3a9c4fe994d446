import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CarrierError } from '../../adapters/contract.js'
import { checkDpdNumber, claimDpdNumber } from '../../adapters/dpd/number.js'
import { DPD_STATUS_PATTERNS, findDpdStatus, foldDpdWording } from '../../adapters/dpd/status-patterns.js'
import { gs1CheckDigit, mod37_36CheckChar } from '../../adapters/number-formats.js'
import { DPD_WEBTRACE_JOURNEY, type WebtraceScan, webtraceAnswer } from '../support/dpd-webtrace.js'
import { propertyRuns } from '../support/property-runs.js'
import { createAdapter, fixture, parseOutcome } from './dpd-support.js'

const adapter = createAdapter()
const RUNS = { numRuns: propertyRuns(1000) }

const SAMPLES = [
  'GetShipmentTrace-response.synthetic.xml',
  'error-IpPermissionDenied.synthetic.xml',
  'trace-page-delivered-then-claim.html',
  'trace-page-outbound-and-return.html',
].map((name) => fixture(name).trim())
const BUILT = webtraceAnswer('250803383035673', DPD_WEBTRACE_JOURNEY)
const sample = fc.constantFrom(...SAMPLES, BUILT)

/** Thrown, the only error any input may give is unexpected_response; entries are well formed. */
function expectRefusedOrParsed(body: string) {
  const outcome = parseOutcome(adapter, body)
  if (outcome instanceof CarrierError) expect(outcome.kind).toBe('unexpected_response')
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

describe('dpd: properties', () => {
  it('refuses arbitrary strings with unexpected_response only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectRefusedOrParsed), RUNS)
  })

  it('throws nothing but unexpected_response on tag soup of both formats', () => {
    const token = fc.constantFrom(
      '<',
      '</',
      '>',
      '/>',
      'soap:',
      'Envelope',
      'Body',
      'Fault',
      'faultcode',
      'GetShipmentTraceResponse',
      'GetShipmentTraceResult',
      'ShipmentTrace',
      'Traces',
      'clsTrace',
      'ScanDate',
      'StatusNumber',
      '2026-04-15',
      '12',
      'Error',
      'IpPermissionDenied',
      'html',
      'table id="tableTrace"',
      'tr class="tabTraceColisAller"',
      'span class="parcelNumberAller"',
      'td',
      '23/01/2026',
      '12:45',
      'Votre colis 250803383035673',
      'Votre colis est livré',
      'Just a moment',
      'title',
      ' ',
    )
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (tokens) => expectRefusedOrParsed(tokens.join(''))),
      RUNS,
    )
  })

  it('refuses every truncation of the real and built answers', () => {
    fc.assert(
      fc.property(sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (text, ratio) => {
        const outcome = parseOutcome(adapter, text.slice(0, Math.floor(ratio * text.length)))
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe('unexpected_response')
      }),
      RUNS,
    )
  })

  it('throws nothing but unexpected_response when characters of an answer change', () => {
    const fragments = fc.constantFrom(
      fixture('trace-page-not-found.fragment.html'),
      fixture('trace-page-cloudflare-challenge.fragment.html'),
    )
    fc.assert(
      fc.property(
        fc.oneof(sample, fragments),
        fc.nat(),
        fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }),
        (text, position, replacement) => {
          const index = position % text.length
          expectRefusedOrParsed(text.slice(0, index) + replacement + text.slice(index + 1))
        },
      ),
      RUNS,
    )
  })

  it('maps or refuses an answer with any element text replaced, never half-parses a Webtrace answer', () => {
    fc.assert(
      fc.property(sample, fc.nat(), fc.string(), (text, position, replacement) => {
        const texts = [...text.matchAll(/>([^<]*)</g)]
        const target = texts[position % texts.length]
        if (!target || target.index === undefined) throw new Error('sample has no element text')
        const start = target.index + 1
        const mutated =
          text.slice(0, start) + escapeText(replacement) + text.slice(start + (target[1] ?? '').length)
        const outcome = parseOutcome(adapter, mutated)
        if (outcome instanceof CarrierError) expect(outcome.kind).toBe('unexpected_response')
        else if (text === BUILT) expect(outcome).toHaveLength(1)
      }),
      RUNS,
    )
  })

  const two = (value: number) => String(value).padStart(2, '0')
  const scan: fc.Arbitrary<WebtraceScan> = fc
    .record({
      year: fc.integer({ min: 2000, max: 2040 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      form: fc.constantFrom('iso', 'slash', 'dot'),
      statusNumber: fc.integer({ min: -999, max: 999_999 }),
      description: fc.oneof(
        fc.constantFrom(
          'Votre colis est livré',
          'Colis en livraison',
          'Votre colis sera retourné à l´expéditeur.',
        ),
        fc.string(),
      ),
    })
    .map(({ year, month, day, hour, minute, form, statusNumber, description }) => ({
      statusNumber: String(statusNumber),
      description,
      date: {
        iso: `${year}-${two(month)}-${two(day)}`,
        slash: `${two(day)}/${two(month)}/${year}`,
        dot: `${two(day)}.${two(month)}.${year}`,
      }[form],
      time: `${two(hour)}:${two(minute)}`,
    }))

  it('maps any readable scans: sorted, every time with a Paris offset, the status of the wording', () => {
    fc.assert(
      fc.property(fc.array(scan, { minLength: 1, maxLength: 10 }), (scans) => {
        const outcome = parseOutcome(adapter, webtraceAnswer('250803383035673', scans))
        expect(outcome).toBeInstanceOf(Array)
        const [snapshot] = outcome as Exclude<typeof outcome, CarrierError>
        if (!snapshot || snapshot instanceof CarrierError) throw new Error(`expected a snapshot: ${snapshot}`)
        for (const event of snapshot.events) {
          expect(event.occurredAt).toMatch(/\+0[12]:00$/)
          expect(event.status).toBe(findDpdStatus(event.description) ?? 'unknown')
        }
      }),
      RUNS,
    )
  })

  it('never throws on arbitrary input to checkNumber, accepts and claimNumber; a claim is accepted', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.stringMatching(/^[0-9A-Z]{12,28}$/)),
        (text) => {
          const check = checkDpdNumber(text)
          if (claimDpdNumber(text)) expect(check.ok).toBe(true)
          expect(adapter.accepts(text)).toBe(check.ok)
        },
      ),
      RUNS,
    )
  })

  it('agrees with MOD 37,36 on random 15-character numbers (250… aside) and asks their 14 digits', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9]\d{13}$/).filter((digits) => !digits.startsWith('250')),
        fc.stringMatching(/^[0-9A-Z]$/),
        (digits, char) => {
          const check = checkDpdNumber(digits + char)
          const valid = mod37_36CheckChar(digits) === char
          expect(check).toEqual(
            valid
              ? { ok: true, trackingNumber: digits }
              : { ok: false, reason: expect.stringContaining('check character') },
          )
        },
      ),
      RUNS,
    )
  })

  it('agrees with GS1 on random 16-digit 250 numbers and with MOD 37,36 on random barcodes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^250\d{12}$/), fc.integer({ min: 0, max: 9 }), (number, digit) => {
        expect(checkDpdNumber(`${number}${digit}`).ok).toBe(gs1CheckDigit(number) === digit)
      }),
      RUNS,
    )
    fc.assert(
      fc.property(fc.stringMatching(/^\d{27}$/), fc.stringMatching(/^[0-9A-Z]$/), (digits, char) => {
        const check = checkDpdNumber(digits + char)
        expect(check.ok).toBe(mod37_36CheckChar(digits) === char)
        if (check.ok) expect(check.trackingNumber).toBe(digits.slice(7, 21))
      }),
      RUNS,
    )
  })

  it('keeps every pattern reachable: each one is the first to match its own example', () => {
    const examples = [
      'Votre colis sera retourné à l´expéditeur.',
      'Nous avons reçu une réclamation : une enquête est ouverte',
      'Votre colis a été retiré dans votre Relais Pickup',
      'Predict vous informe : votre colis sera livré le 24/01/2026',
      'Votre colis est disponible dans votre Relais Pickup',
      'Votre colis a du retard',
      'Votre colis est livré',
      'Votre colis est en cours de livraison',
      'Votre colis est en préparation chez l’expéditeur',
      'Votre colis est arrivé en France',
    ]
    expect(examples).toHaveLength(DPD_STATUS_PATTERNS.length)
    examples.forEach((example, index) => {
      const folded = foldDpdWording(example)
      expect(
        DPD_STATUS_PATTERNS.findIndex(({ pattern }) => pattern.test(folded)),
        example,
      ).toBe(index)
    })
  })
})
