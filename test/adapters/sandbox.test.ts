import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { CarrierError, normalizeTrackingNumber, type UnknownCodeHook } from '../../adapters/contract.js'
import {
  createSandboxAdapter,
  describeSandboxScenarios,
  SANDBOX_SCENARIOS,
} from '../../adapters/sandbox/index.js'
import {
  SANDBOX_PLAYS,
  SANDBOX_SCENARIO_NAMES,
  SANDBOX_UNKNOWN_CODE,
  type SandboxScenarioName,
} from '../../adapters/sandbox/scenarios.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import type { TrackingStatus } from '../../src/domain/tracking-status.js'
import { caughtCarrierError } from '../support/carrier-error.js'
import { propertyRuns } from '../support/property-runs.js'
import { runAdapterContract } from './adapter-contract.js'

// Three days before the spring DST change in Paris, so real-time journeys cross it.
const fixedNow = Date.parse('2025-03-27T10:00:00+01:00')
const SECOND_MS = 1000

function sandbox(
  options: {
    now?: () => number
    timeScale?: number
    warn?: () => void
    onUnknownCode?: UnknownCodeHook
  } = {},
) {
  return createSandboxAdapter({
    timeScale: options.timeScale ?? 3600,
    rateLimit: { max: 50, durationMs: 1000 },
    now: options.now ?? (() => fixedNow),
    onUnknownCode: options.onUnknownCode,
    ...(options.warn ? { logger: { warn: options.warn } } : {}),
  })
}

runAdapterContract('sandbox', (hooks) => sandbox(hooks), {
  history: {
    trackingNumber: 'SBXDELIVERED001',
    registeredAt: new Date(fixedNow - 60 * SECOND_MS).toISOString(),
  },
  unknownCode: { trackingNumber: 'SBXUNKNOWNCODE001', code: SANDBOX_UNKNOWN_CODE },
  notFound: { trackingNumber: 'SBXNOTFOUND001' },
  rateLimited: { trackingNumber: 'SBXRATELIMITED001' },
  garbage: { trackingNumber: 'SBXGARBAGE001' },
  garbageBodies: [
    '{"trackingNumber":"SBXDELIVERED001","events":[{"code":"SBX_LABEL","label":"x","at":"hier"}]}',
    '{"trackingNumber":"SBXDELIVERED001","events":[{"code":" ","label":"x","at":"2025-03-27T10:00:00Z"}]}',
    '{"trackingNumber":"","events":[]}',
    '{"trackingNumber":"SBXDELIVERED001","events":{}}',
  ],
  facts: {
    claims: [{ trackingNumber: 'SBXDELIVERED001', confidence: 1 }],
    pickupHoldDays: 10,
    deliveryDays: [[undefined, 'ouvrables']],
  },
})

async function trackFull(scenario: SandboxScenarioName, suffix = '001'): Promise<CarrierSnapshot> {
  return sandbox().track({ trackingNumber: `SBX${scenario}${suffix}` })
}

/** The tracking status after each event, in timeline order. */
function statusPath(snapshot: CarrierSnapshot): TrackingStatus[] {
  return snapshot.events.map((_, index) => deriveTrackingStatus(snapshot.events.slice(0, index + 1)))
}

function expectTimeTruthful(snapshot: CarrierSnapshot) {
  const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
  expect(instants).toEqual([...instants].sort((a, b) => a - b))
  for (const event of snapshot.events) {
    expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
    expect(event.occurredAt).not.toMatch(/Z$/)
  }
}

describe('sandbox numbers', () => {
  it('accepts SBX + scenario + 3 digits, also once a typed number is normalized', () => {
    const adapter = sandbox()
    expect(adapter.checkNumber('SBXPICKUP042')).toEqual({ ok: true, trackingNumber: 'SBXPICKUP042' })
    expect(adapter.accepts(normalizeTrackingNumber('sbx-delivered-001'))).toBe(true)
    expect(adapter.accepts(normalizeTrackingNumber(' sbx delivered 001 '))).toBe(true)
  })

  it('names the valid scenarios when the scenario is unknown', () => {
    const check = sandbox().checkNumber('SBXFOO001')
    expect(check).toEqual({
      ok: false,
      reason: `unknown sandbox scenario "FOO"; use one of ${SANDBOX_SCENARIO_NAMES.join(', ')}`,
    })
  })

  it('explains the format for junk and a wrong suffix', () => {
    for (const junk of ['SBXDELIVERED1', 'SBXDELIVERED0001', 'SBX001', 'DELIVERED001', 'SBXdelivered001']) {
      const check = sandbox().checkNumber(junk)
      expect(check.ok, junk).toBe(false)
      if (!check.ok) expect(check.reason).toContain('SBX + scenario + 3 digits')
    }
  })

  it('refuses to track a junk number with invalid_number', async () => {
    expect((await caughtCarrierError(sandbox().track({ trackingNumber: 'SBXFOO001' }))).kind).toBe(
      'invalid_number',
    )
  })

  it('describes every scenario with an example number it accepts', () => {
    const described = describeSandboxScenarios()
    expect(described.map((info) => info.scenario)).toEqual([...SANDBOX_SCENARIO_NAMES])
    for (const info of described) {
      expect(sandbox().accepts(info.exampleNumber)).toBe(true)
      expect(info.description).toBe(SANDBOX_SCENARIOS[info.scenario])
    }
    expect(described.find((info) => info.scenario === 'RETURNED')?.durationHours).toBe(96)
    expect(described.find((info) => info.scenario === 'NOTFOUND')?.durationHours).toBeUndefined()
  })
})

describe('sandbox scenarios', () => {
  it.each([
    ['DELIVERED', 'delivered', true],
    ['PICKUP', 'delivered', true],
    ['REDELIVERED', 'delivered', true],
    ['RETURNED', 'returned_to_sender', true],
    ['CUSTOMS', 'exception', false],
    ['STALLED', 'in_transit', false],
    ['OUTOFORDER', 'delivered', true],
    ['UNKNOWNCODE', 'delivered', true],
  ] as const)('%s ends %s (final: %s)', async (scenario, status, final) => {
    const snapshot = await trackFull(scenario)
    expect(deriveTrackingStatus(snapshot.events)).toBe(status)
    expect(snapshot.final).toBe(final)
    expect(snapshot.carrier).toBe('sandbox')
    expect(snapshot.trackingNumber).toBe(`SBX${scenario}001`)
    expectTimeTruthful(snapshot)
  })

  it('DELIVERED walks label → pick-up → transit → delivery site → out for delivery → delivered', async () => {
    const snapshot = await trackFull('DELIVERED')
    expect(snapshot.events.map((event) => event.code)).toEqual([
      'SBX_LABEL',
      'SBX_PICKUP',
      'SBX_TRANSIT',
      'SBX_TRANSIT',
      'SBX_SORTED',
      'SBX_OUT',
      'SBX_DELIVERED',
    ])
    expect(snapshot.deliveredAt).toBe(snapshot.events.at(-1)?.occurredAt)
    expect(snapshot.events[1]?.location).toEqual({ city: 'Paris', postalCode: '75018', countryCode: 'FR' })
  })

  it('PICKUP passes through failed_attempt and available_for_pickup before delivered', async () => {
    const path = statusPath(await trackFull('PICKUP'))
    const failed = path.indexOf('failed_attempt')
    const pickup = path.indexOf('available_for_pickup')
    expect(failed).toBeGreaterThan(path.indexOf('out_for_delivery'))
    expect(pickup).toBeGreaterThan(failed)
    expect(path.at(-1)).toBe('delivered')
    expect(path.indexOf('delivered')).toBe(path.length - 1)
  })

  it('RETURNED keeps returned_to_sender through the way back and is final only once back', async () => {
    const registeredAt = new Date(fixedNow).toISOString()
    const at = (hours: number) =>
      sandbox({ now: () => fixedNow + hours * SECOND_MS }).track({
        trackingNumber: 'SBXRETURNED007',
        registeredAt,
      })
    const onTheWayBack = await at(90)
    expect(deriveTrackingStatus(onTheWayBack.events)).toBe('returned_to_sender')
    expect(onTheWayBack.final).toBe(false)
    expect(onTheWayBack.events.at(-1)?.code).toBe('SBX_RETURN_TRANSIT')
    const back = await at(96)
    expect(back.final).toBe(true)
    expect(back.deliveredAt).toBeUndefined()
    expect(back.events.at(-1)).toMatchObject({ code: 'SBX_RETURNED', status: 'returned_to_sender' })
  })

  it('CUSTOMS and STALLED stay where they stopped, days later', async () => {
    const registeredAt = new Date(fixedNow).toISOString()
    const later = sandbox({ now: () => fixedNow + 30 * 24 * 3600 * SECOND_MS })
    const customs = await later.track({ trackingNumber: 'SBXCUSTOMS001', registeredAt })
    expect(customs.events.at(-1)).toMatchObject({ code: 'SBX_CUSTOMS_HOLD', status: 'exception' })
    expect(customs.events[0]?.location?.countryCode).toBe('CA')
    const stalled = await later.track({ trackingNumber: 'SBXSTALLED001', registeredAt })
    expect(stalled.events).toHaveLength(3)
    expect(deriveTrackingStatus(stalled.events)).toBe('in_transit')
  })

  it('OUTOFORDER shows a late scan with an earlier time, and reads an offset-less time as Paris', async () => {
    const registeredAt = new Date(fixedNow).toISOString()
    const at = (hours: number) =>
      sandbox({ now: () => fixedNow + hours * SECOND_MS }).track({
        trackingNumber: 'SBXOUTOFORDER001',
        registeredAt,
      })
    const before = await at(20)
    expect(before.events.map((event) => event.code)).toEqual(['SBX_LABEL', 'SBX_PICKUP', 'SBX_TRANSIT'])
    const after = await at(24)
    expectTimeTruthful(after)
    const late = after.events.find((event) => !before.events.some((known) => known.id === event.id))
    expect(late?.location?.city).toBe('Paris')
    expect(Date.parse(late?.occurredAt ?? '')).toBeLessThan(
      Date.parse(before.events.at(-1)?.occurredAt ?? ''),
    )
    const sorted = (await at(40)).events.find((event) => event.code === 'SBX_SORTED')
    expect(sorted?.occurredAt).toMatch(/\+0[12]:00$/)
  })

  it('UNKNOWNCODE keeps the unknown code, warns, and does not move the status', async () => {
    const warn = vi.fn()
    const snapshot = await sandbox({ warn }).track({ trackingNumber: 'SBXUNKNOWNCODE001' })
    const unknown = snapshot.events.find((event) => event.code === SANDBOX_UNKNOWN_CODE)
    expect(unknown?.status).toBe('unknown')
    expect(warn).toHaveBeenCalledWith({ code: SANDBOX_UNKNOWN_CODE }, expect.any(String))
  })

  it('NOTFOUND, RATELIMITED and GARBAGE always fail with their kind', async () => {
    const later = sandbox({ now: () => fixedNow + 365 * 24 * 3600 * SECOND_MS })
    expect((await caughtCarrierError(later.track({ trackingNumber: 'SBXNOTFOUND123' }))).kind).toBe(
      'not_found',
    )
    const limited = await caughtCarrierError(later.track({ trackingNumber: 'SBXRATELIMITED123' }))
    expect(limited.kind).toBe('rate_limited')
    expect(limited.retryAfterMs).toBe(1000)
    expect((await caughtCarrierError(later.track({ trackingNumber: 'SBXGARBAGE123' }))).kind).toBe(
      'unexpected_response',
    )
  })

  it('reports an aborted request as unavailable', async () => {
    const error = await caughtCarrierError(
      sandbox().track({ trackingNumber: 'SBXDELIVERED001' }, AbortSignal.abort()),
    )
    expect(error.kind).toBe('unavailable')
  })

  it('refuses a time scale that is not a positive number', () => {
    expect(() => sandbox({ timeScale: 0 })).toThrow(RangeError)
    expect(() => sandbox({ timeScale: Number.NaN })).toThrow(RangeError)
  })
})

describe('sandbox time', () => {
  const registeredAt = '2025-03-27T10:00:00+01:00'
  const T = Date.parse(registeredAt)

  it('is not_found before the first scan is due', async () => {
    const error = await caughtCarrierError(
      sandbox({ now: () => T - 1 }).track({ trackingNumber: 'SBXDELIVERED001', registeredAt }),
    )
    expect(error.kind).toBe('not_found')
  })

  it('at T + 1 s with timeScale 3600 shows only the first simulated hour', async () => {
    const snapshot = await sandbox({ now: () => T + SECOND_MS }).track({
      trackingNumber: 'SBXDELIVERED001',
      registeredAt,
    })
    expect(snapshot.events.map((event) => event.code)).toEqual(['SBX_LABEL'])
    expect(snapshot.events[0]?.occurredAt).toBe(registeredAt)
  })

  it('grows as now() advances, never shrinks, ids and times stable', async () => {
    let nowMs = T
    const adapter = sandbox({ now: () => nowMs })
    let previous: CarrierSnapshot | undefined
    for (let second = 0; second <= 100; second++) {
      nowMs = T + second * SECOND_MS
      const snapshot = await adapter.track({ trackingNumber: 'SBXRETURNED001', registeredAt })
      const current = new Map(snapshot.events.map((event) => [event.id, event]))
      for (const event of previous?.events ?? []) expect(current.get(event.id)).toEqual(event)
      previous = snapshot
    }
    expect(previous?.events).toHaveLength(10)
  })

  it('plays in real time with timeScale 1, across the DST change', async () => {
    const adapter = sandbox({ timeScale: 1, now: () => T + 96 * 3600 * SECOND_MS })
    const snapshot = await adapter.track({ trackingNumber: 'SBXRETURNED001', registeredAt })
    expect(snapshot.events[0]?.occurredAt).toBe('2025-03-27T10:00:00+01:00')
    expect(snapshot.events.at(-1)?.occurredAt).toBe('2025-03-31T11:00:00+02:00')
  })

  it('is deterministic: same number, registration and now give the same snapshot', async () => {
    const query = { trackingNumber: 'SBXPICKUP042', registeredAt }
    const now = () => T + 50 * SECOND_MS
    expect(await sandbox({ now }).track(query)).toEqual(await sandbox({ now }).track(query))
  })

  it('lets the suffix pick the delivery site, the same way every time', async () => {
    const siteOf = async (suffix: string) =>
      (await trackFull('DELIVERED', suffix)).events.find((event) => event.code === 'SBX_SORTED')?.location
        ?.city
    expect(await siteOf('000')).toBe('Bordeaux')
    expect(await siteOf('001')).toBe('Marseille')
    expect(await siteOf('005')).toBe('Bordeaux')
    expect(await siteOf('001')).toBe(await siteOf('001'))
  })
})

describe('sandbox raw format', () => {
  it('round-trips a snapshot through the raw document and parse()', async () => {
    const adapter = sandbox()
    for (const scenario of ['DELIVERED', 'RETURNED', 'UNKNOWNCODE', 'OUTOFORDER'] as const) {
      const snapshot = await trackFull(scenario)
      const document = {
        trackingNumber: snapshot.trackingNumber,
        events: snapshot.events.map((event) => ({
          code: event.code,
          label: event.description,
          at: event.occurredAt,
          ...event.location,
        })),
      }
      expect(adapter.parse(JSON.stringify(document))).toEqual([snapshot])
    }
  })

  it('reads an offset-less time as Europe/Paris wall-clock', () => {
    const body = JSON.stringify({
      trackingNumber: 'SBXDELIVERED001',
      events: [
        { code: 'SBX_LABEL', label: 'Étiquette créée', at: '2025-01-15T09:30:00' },
        { code: 'SBX_PICKUP', label: 'Pris en charge', at: '2025-07-15T09:30:00', city: 'Paris' },
      ],
    })
    const [snapshot] = sandbox().parse(body)
    if (!snapshot || snapshot instanceof CarrierError) throw new Error('expected one snapshot')
    expect(snapshot.events.map((event) => event.occurredAt)).toEqual([
      '2025-01-15T09:30:00+01:00',
      '2025-07-15T09:30:00+02:00',
    ])
    expect(snapshot.events[1]?.location).toEqual({ city: 'Paris' })
  })

  it('throws only unexpected_response for any string or JSON', () => {
    const adapter = sandbox()
    const rawEvent = fc.record(
      {
        code: fc.oneof(fc.string(), fc.constantFrom('SBX_LABEL', 'constructor', '__proto__')),
        label: fc.string(),
        at: fc.oneof(
          fc.string(),
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
        ),
        city: fc.string(),
        postalCode: fc.string(),
        countryCode: fc.string(),
      },
      { requiredKeys: [] },
    )
    const body = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({ trackingNumber: fc.string(), events: fc.array(rawEvent) })
        .map((value) => JSON.stringify(value)),
    )
    fc.assert(
      fc.property(body, (text) => {
        try {
          adapter.parse(text)
        } catch (error) {
          if (!(error instanceof CarrierError) || error.kind !== 'unexpected_response') throw error
        }
      }),
      { numRuns: propertyRuns(1000) },
    )
  })
})

describe('sandbox journeys, for any scenario, registration and now', () => {
  const journeys = SANDBOX_SCENARIO_NAMES.filter((name) => SANDBOX_PLAYS[name].kind === 'journey')

  it('are sorted, time-truthful, and only grow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...journeys),
        fc.integer({ min: 0, max: 999 }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        fc.constantFrom(1, 60, 3600, 86_400),
        fc.integer({ min: -3_600_000, max: 400 * 3_600_000 }),
        fc.nat({ max: 100 * 3_600_000 }),
        async (scenario, suffix, registered, timeScale, elapsedMs, laterMs) => {
          const trackingNumber = `SBX${scenario}${String(suffix).padStart(3, '0')}`
          const registeredAt = registered.toISOString()
          const at = async (nowMs: number) => {
            const adapter = sandbox({ timeScale, now: () => nowMs })
            return adapter.track({ trackingNumber, registeredAt }).catch((error: unknown) => {
              if (error instanceof CarrierError && error.kind === 'not_found') return undefined
              throw error
            })
          }
          const first = await at(registered.getTime() + elapsedMs)
          const second = await at(registered.getTime() + elapsedMs + laterMs)
          if (first) expect(second).toBeDefined()
          for (const snapshot of [first, second]) {
            if (!snapshot) continue
            expect(snapshot.events.length).toBeGreaterThan(0)
            expectTimeTruthful(snapshot)
            expect(new Set(snapshot.events.map((event) => event.id)).size).toBe(snapshot.events.length)
          }
          const ids = new Set(second?.events.map((event) => event.id))
          for (const event of first?.events ?? []) expect(ids.has(event.id)).toBe(true)
        },
      ),
      { numRuns: propertyRuns(1000) },
    )
  })
})
