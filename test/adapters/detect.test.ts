import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'

type Vector = { number: string; carrier?: string }
const vectors = JSON.parse(
  readFileSync(new URL('../fixtures/samples/tracking-numbers.json', import.meta.url), 'utf8'),
) as {
  s10_upu: { valid: Vector[]; invalid: Vector[] }
  laposte_13: { valid: Vector[]; invalid: Vector[] }
  laposte_15_mod37_36: { valid: Vector[]; invalid: Vector[] }
  chronopost_14_digits: { examples: Vector[] }
}

const runtime = createCarrierRuntime(loadConfig({ LAPOSTE_API_KEY: 'k' }), createSilentLogger())
const detect = (number: string) => runtime.detect(number)

/** Chronopost's own S10 numbers start with X; every other S10 goes to La Poste. */
const expectedS10Carrier = (number: string) => (number.startsWith('X') ? 'chronopost' : 'laposte')

describe('carrier detection from real check digits', () => {
  it.each(vectors.s10_upu.valid.map((vector) => vector.number))('S10 %s → its carrier', (number) => {
    const detection = detect(number)
    expect(detection.winner).toBe(expectedS10Carrier(number))
    expect(detection.problems).toEqual([])
  })

  it.each(vectors.laposte_13.valid.map((vector) => vector.number))('13-character %s → laposte', (number) => {
    expect(detect(number).winner).toBe('laposte')
  })

  it.each(
    vectors.laposte_15_mod37_36.valid
      .map((vector) => vector.number)
      .filter((number) => /^8[67]/.test(number)),
  )('15-character %s → laposte', (number) => {
    const detection = detect(number)
    expect(detection.winner).toBe('laposte')
    expect(detection.candidates.map((candidate) => candidate.carrier)).toContain('chronopost')
  })

  it.each(vectors.chronopost_14_digits.examples.map((vector) => vector.number))(
    '14 digits %s → chronopost',
    (number) => {
      const detection = detect(number)
      expect(detection.winner).toBe('chronopost')
      expect(detection.candidates[1]?.carrier).toBe('laposte')
    },
  )

  it.each(
    [...vectors.s10_upu.invalid, ...vectors.laposte_13.invalid, ...vectors.laposte_15_mod37_36.invalid].map(
      (vector) => vector.number,
    ),
  )('rejects %s (wrong check digit) and says why', (number) => {
    const detection = detect(number)
    expect(detection.candidates).toEqual([])
    expect(detection.winner).toBeUndefined()
    expect(detection.problems[0]).toMatch(/check (digit|character) is .+, expected .+/)
  })

  it.each([
    ['ew 112 720 413 fr', 'EW112720413FR', 'laposte'],
    ['6a-1560-2676-300', '6A15602676300', 'laposte'],
    ['xg953488284jb', 'XG953488284JB', 'chronopost'],
    ['8910 8749 0650 90', '89108749065090', 'chronopost'],
    ['sbx-delivered-001', 'SBXDELIVERED001', 'sandbox'],
    ['1z 999 aa1 0123 4567 84', '1Z999AA10123456784', 'ups'],
  ])('normalizes %s to %s before detecting (%s)', (raw, normalized, carrier) => {
    const detection = detect(raw)
    expect(detection.trackingNumber).toBe(normalized)
    expect(detection.winner).toBe(carrier)
  })

  it('lets no carrier win a 1Z number one character short, and says why', () => {
    const detection = detect('1Z999AA1012345678')
    expect(detection.problems).toContain('UPS 1Z numbers have 18 characters, not 17')
    expect(detection.candidates.map((candidate) => candidate.carrier)).not.toContain('ups')
    expect(detection.winner).toBeUndefined()
  })

  it.each(['', 'HELLO', '123', 'X'.repeat(40)])('finds no carrier for %j', (junk) => {
    const detection = detect(junk)
    expect(detection.candidates).toEqual([])
    expect(detection.winner).toBeUndefined()
  })

  it('ranks candidates best first with a reason each, and never picks without a clear lead', () => {
    const detection = detect('XY746876977FR')
    expect(detection.candidates.map((candidate) => candidate.carrier)).toEqual(['chronopost', 'laposte'])
    for (const candidate of detection.candidates) expect(candidate.reason.length).toBeGreaterThan(10)
    expect(detection.candidates[0]?.confidence).toBeGreaterThan(detection.candidates[1]?.confidence ?? 1)
  })
})
