import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CarrierAdapter, CarrierError, type CarrierErrorKind } from '../../adapters/contract.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { propertyRuns } from '../support/property-runs.js'

export interface ParsePropertyFixtures {
  /** Complete answers of the carrier, as it sends them. */
  samples: string[]
  /** Pieces of the carrier's format (tag names, values) that random bodies are made of. */
  tokens: string[]
  /** Error kinds a body of tokens may give besides unexpected_response (a fault's `unavailable`…). */
  tokenErrorKinds?: CarrierErrorKind[]
}

/** Element texts of a markup sample: `>text<` runs. */
const ELEMENT_TEXT = />([^<]*)</g

/** Fails the test unless each snapshot among `entries` is sorted by instant, every time with an offset. */
export function expectWellFormed(entries: ReturnType<CarrierAdapter['parse']>) {
  for (const entry of entries) {
    if (entry instanceof CarrierError) continue
    const instants = entry.events.map((event) => Date.parse(event.occurredAt))
    expect(instants).toEqual([...instants].sort((a, b) => a - b))
    for (const event of entry.events) expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
  }
}

/** What `parse` makes of a body: the error it throws, or nothing once its entries are well formed. */
function parseOrRefuse(adapter: CarrierAdapter, body: string): CarrierError | undefined {
  try {
    expectWellFormed(adapter.parse(body))
    return undefined
  } catch (error) {
    if (error instanceof CarrierError) return error
    throw error
  }
}

/** Replacement text for an element: anything, escaped so that it stays text. */
const escapeText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * The robustness every `parse` owes `colis normalize` and the poll workers, 1000 runs each: arbitrary,
 * truncated or mutated input is parsed well formed or refused, and refused with `unexpected_response`
 * only; never another exception.
 */
export function runParseProperties(name: string, adapter: CarrierAdapter, fixtures: ParsePropertyFixtures) {
  const samples = fixtures.samples.map((sample) => sample.trim())
  const sample = fc.constantFrom(...samples)
  const expectRefusedOrParsed = (body: string) => {
    const error = parseOrRefuse(adapter, body)
    if (error) expect(error.kind).toBe('unexpected_response')
  }

  describe(`${name}: parse properties`, () => {
    it('refuses arbitrary strings with unexpected_response only', () => {
      fc.assert(fc.property(fc.string({ unit: 'binary' }), expectRefusedOrParsed), {
        numRuns: propertyRuns(1000),
      })
    })

    it('throws nothing but CarrierError on arbitrary bodies of its own tokens', () => {
      const kinds = ['unexpected_response', ...(fixtures.tokenErrorKinds ?? [])]
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...fixtures.tokens), { maxLength: 60 }), (tokens) => {
          const error = parseOrRefuse(adapter, tokens.join(''))
          if (error) expect(kinds).toContain(error.kind)
        }),
        { numRuns: propertyRuns(1000) },
      )
    })

    it('refuses every truncation of its samples', () => {
      fc.assert(
        fc.property(sample, fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (text, ratio) => {
          const error = parseOrRefuse(adapter, text.slice(0, Math.floor(ratio * text.length)))
          expect(error?.kind).toBe('unexpected_response')
        }),
        { numRuns: propertyRuns(1000) },
      )
    })

    it('throws nothing but unexpected_response when characters of a sample change', () => {
      fc.assert(
        fc.property(
          sample,
          fc.nat(),
          fc.string({ unit: 'binary', maxLength: 3 }),
          (text, at, replacement) => {
            const index = at % text.length
            expectRefusedOrParsed(text.slice(0, index) + replacement + text.slice(index + 1))
          },
        ),
        { numRuns: propertyRuns(1000) },
      )
    })

    it('maps or refuses a sample with any element text replaced, never half-parses', () => {
      fc.assert(
        fc.property(sample, fc.nat(), fc.string(), (text, at, replacement) => {
          const texts = [...text.matchAll(ELEMENT_TEXT)]
          const target = texts[at % texts.length]
          if (!target || target.index === undefined) throw new Error('sample has no element text')
          const start = target.index + 1
          const end = start + (target[1] ?? '').length
          expectRefusedOrParsed(text.slice(0, start) + escapeText(replacement) + text.slice(end))
        }),
        { numRuns: propertyRuns(1000) },
      )
    })
  })
}
