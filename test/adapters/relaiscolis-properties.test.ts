import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { CarrierError } from '../../adapters/contract.js'
import { RELAISCOLIS_STATUS_BY_CODE } from '../../adapters/relaiscolis/event-codes.js'
import { readGmtOffset, readRelaisColisTime } from '../../adapters/relaiscolis/map-events.js'
import { EVENT_STATUSES } from '../../src/domain/tracking-status.js'
import { listJsonPaths, mutateJsonAt, REMOVE } from '../support/json-mutation.js'
import { propertyRuns } from '../support/property-runs.js'
import { createAdapter, expectWellFormed, fixture, http, parseOutcome } from './relaiscolis-support.js'

afterAll(async () => {
  await http.close()
})

const RUNS = { numRuns: propertyRuns(1000) }

describe('relaiscolis: properties', () => {
  const adapter = createAdapter()
  const sampleText = fixture('relay-collected.json').trim()
  const sample: unknown = JSON.parse(sampleText)

  /** Thrown or per parcel, the only error arbitrary input may give is unexpected_response. */
  const expectRefusedOrParsed = (body: string) => {
    const outcome = parseOutcome(adapter, body)
    for (const entry of outcome instanceof CarrierError ? [outcome] : outcome) {
      if (entry instanceof CarrierError) expect(entry.kind).toBe('unexpected_response')
    }
  }

  it('refuses arbitrary strings with unexpected_response only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), expectRefusedOrParsed), RUNS)
  })

  it('refuses arbitrary JSON with unexpected_response only', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => expectRefusedOrParsed(JSON.stringify(value))),
      RUNS,
    )
  })

  it('refuses every truncation of a real-shaped answer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sampleText.length - 1 }), (length) => {
        const outcome = parseOutcome(adapter, sampleText.slice(0, length))
        expect(outcome).toBeInstanceOf(CarrierError)
        expect((outcome as CarrierError).kind).toBe('unexpected_response')
      }),
      RUNS,
    )
  })

  it('maps or refuses an answer with any field changed or removed, never half-parses', () => {
    const paths = listJsonPaths(sample)
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(fc.constant(REMOVE), fc.jsonValue()),
        (path, replacement) => expectRefusedOrParsed(JSON.stringify(mutateJsonAt(sample, path, replacement))),
      ),
      RUNS,
    )
  })

  it('throws nothing but CarrierError when any character of the answer is changed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: sampleText.length - 1 }),
        fc.string({ unit: 'binary', minLength: 0, maxLength: 3 }),
        (index, text) => {
          parseOutcome(adapter, sampleText.slice(0, index) + text + sampleText.slice(index + 1))
        },
      ),
      RUNS,
    )
  })

  const two = (value: number) => String(value).padStart(2, '0')
  const gmt = fc.oneof(
    fc.constantFrom('', 'GMT', 'GMT+1', 'GMT+2', 'UTC+01:00', 'CET', 'GMT+99'),
    fc.integer({ min: -14, max: 14 }).map((hours) => `GMT${hours < 0 ? '-' : '+'}${Math.abs(hours)}`),
    fc.string(),
  )
  const naiveDate = fc
    .tuple(
      fc.integer({ min: 1971, max: 2099 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    )
    .map(([year, month, day, hour, minute, second]) => {
      return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}`
    })
  const pair = fc.oneof(
    fc.constantFrom(...Object.keys(RELAISCOLIS_STATUS_BY_CODE)).map((code) => code.split('/')),
    fc.tuple(fc.constantFrom('APF', 'SOR', 'DEP', 'ZZZ'), fc.constantFrom('', 'NEW', 'R4a')),
  )
  const rawEvent = fc.record({
    parcelNumber: fc.constantFrom('4H013000253201', '4h013000011101', ' BP000803202401 '),
    Date: naiveDate,
    GMT: gmt,
    Etape: fc.option(fc.nat({ max: 9 }), { nil: undefined }),
    code: pair,
    Libelle: fc.option(fc.string(), { nil: null }),
  })

  it('gives every parcel sorted events, each with an offset, a known status and its trimmed code', () => {
    fc.assert(
      fc.property(fc.array(rawEvent, { maxLength: 12 }), (events) => {
        const body = events.map(({ code: [codeEvt, codeJus], ...event }) => ({
          ...event,
          CodeEVT: codeEvt,
          CodeJUS: codeJus,
        }))
        const entries = adapter.parse(JSON.stringify(body))
        expect(entries.length).toBe(
          new Set(body.map((event) => event.parcelNumber.trim().toUpperCase())).size,
        )
        for (const entry of entries) {
          expect(entry).not.toBeInstanceOf(CarrierError)
          if (entry instanceof CarrierError) continue
          expectWellFormed(entry)
          for (const event of entry.events) {
            expect(EVENT_STATUSES).toContain(event.status)
            expect(event.code).toBe(event.code.trim())
          }
        }
      }),
      RUNS,
    )
  })

  it('reads a GMT offset as the same instant as the ISO offset it names', () => {
    fc.assert(
      fc.property(naiveDate, fc.integer({ min: -14 * 4, max: 14 * 4 }), (date, quarters) => {
        const minutes = Math.abs(quarters) * 15
        const sign = quarters < 0 ? '-' : '+'
        const iso = `${sign}${two(Math.floor(minutes / 60))}:${two(minutes % 60)}`
        expect(readGmtOffset(`GMT${iso}`)).toBe(iso)
        expect(Date.parse(readRelaisColisTime(date, `GMT${iso}`) ?? '')).toBe(Date.parse(`${date}${iso}`))
      }),
      RUNS,
    )
  })

  it('never throws on arbitrary GMT and date text, and gives an offset or nothing', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (date, offset) => {
        const time = readRelaisColisTime(date, offset)
        if (time !== undefined) expect(time).toMatch(/[+-]\d{2}:\d{2}$/)
      }),
      RUNS,
    )
  })

  it('never throws on arbitrary input to checkNumber and accepts, nor claims what it refuses', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.stringMatching(/^[0-9A-Z]{2}\d{12}$/)),
        (text) => {
          const check = adapter.checkNumber(text)
          expect(adapter.accepts(text)).toBe(check.ok)
          if (!check.ok) {
            expect(check.reason.length).toBeGreaterThan(5)
            expect(adapter.claimNumber(text)).toBeUndefined()
          } else expect(adapter.claimNumber(text)?.confidence).toBeLessThanOrEqual(0.6)
        },
      ),
      RUNS,
    )
  })
})
