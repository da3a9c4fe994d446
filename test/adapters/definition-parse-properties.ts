import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { propertyRuns } from '../support/property-runs.js'
import { expectWellFormed } from './parse-properties.js'

const RUNS = propertyRuns(1000)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** `parse` either refuses the whole body with `unexpected_response` or gives well-formed entries. */
function expectParseContract(adapter: CarrierAdapter, body: string): void {
  let entries: ReturnType<CarrierAdapter['parse']>
  try {
    entries = adapter.parse(body)
  } catch (error) {
    expect(error).toBeInstanceOf(CarrierError)
    expect((error as CarrierError).kind).toBe('unexpected_response')
    return
  }
  expectWellFormed(entries)
}

/** `value` with the value found by following `selectors` (indexes modulo each level's size) replaced. */
function replaceSomewhere(value: Json, selectors: readonly number[], replacement: Json): Json {
  const [selector, ...rest] = selectors
  if (selector === undefined || value === null || typeof value !== 'object') return replacement
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement
    const index = selector % value.length
    return value.map((item, at) => (at === index ? replaceSomewhere(item, rest, replacement) : item))
  }
  const keys = Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[selector % keys.length] as string
  return { ...value, [key]: replaceSomewhere(value[key] as Json, rest, replacement) }
}

/**
 * The fast-check properties of a carrier read by the generic adapter (1000 runs each): any string, any
 * JSON, a truncated or mutated answer, and (for JSON carriers) an answer with any value replaced give
 * entries or `unexpected_response`, never another error. An HTML page cut short may still hold rows:
 * it is read, not refused.
 */
export function runDefinitionParseProperties(
  name: string,
  adapter: () => CarrierAdapter,
  bodies: readonly string[],
) {
  describe(`${name}: parse() properties`, () => {
    it('parse() of any string gives entries or unexpected_response', () => {
      const text = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }))
      const subject = adapter()
      fc.assert(
        fc.property(text, (body) => expectParseContract(subject, body)),
        { numRuns: RUNS },
      )
    })

    it('parse() of any JSON gives entries or unexpected_response', () => {
      const subject = adapter()
      fc.assert(
        fc.property(fc.json(), (body) => expectParseContract(subject, body)),
        { numRuns: RUNS },
      )
    })

    it('parse() of a truncated or mutated answer gives entries or unexpected_response', () => {
      const subject = adapter()
      const mutation = fc.record({
        body: fc.constantFrom(...bodies),
        at: fc.nat(),
        removed: fc.nat({ max: 12 }),
        inserted: fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 6 }),
          fc.constantFrom('"', '<', '/', '0', ':', '|', '-'),
        ),
        truncate: fc.boolean(),
      })
      fc.assert(
        fc.property(mutation, ({ body, at, removed, inserted, truncate }) => {
          const cut = at % (body.length + 1)
          const mutated = truncate
            ? body.slice(0, cut)
            : body.slice(0, cut) + inserted + body.slice(cut + removed)
          expectParseContract(subject, mutated)
        }),
        { numRuns: RUNS },
      )
    })

    const json = bodies.flatMap((body) => {
      try {
        return [JSON.parse(body) as Json]
      } catch {
        return []
      }
    })
    if (json.length === 0) return
    it('parse() of an answer with any value replaced gives entries or unexpected_response', () => {
      const subject = adapter()
      fc.assert(
        fc.property(
          fc.constantFrom(...json),
          fc.array(fc.nat(), { maxLength: 7 }),
          fc.jsonValue(),
          (answer, selectors, replacement) => {
            const body = JSON.stringify(replaceSomewhere(answer, selectors, replacement as Json))
            expectParseContract(subject, body)
          },
        ),
        { numRuns: RUNS },
      )
    })
  })
}
