import nock from 'nock'
import { afterEach, describe, expect, it } from 'vitest'
import { type CarrierAdapter, CarrierError, type UnknownCodeHook } from '../../adapters/contract.js'
import { alertFactsOf } from '../../adapters/registry.js'
import { type DayKind, deliveryDayKindFor } from '../../src/domain/business-calendar.js'
import { hasOffset } from '../../src/domain/paris-time.js'
import { EVENT_STATUSES } from '../../src/domain/tracking-status.js'

export interface ContractScenario {
  trackingNumber: string
  registeredAt?: string
  /** For carriers that track a parcel only with it (`requiresDestinationPostalCode`). */
  destinationPostalCode?: string
  /** Mounts whatever makes the carrier answer this scenario (nock scopes, a fake server…). */
  arrange?: () => void
}

export interface ContractFixtures {
  /** A number with a real history of several events. */
  history: ContractScenario
  /** A history holding at least one carrier code colis does not know. */
  unknownCode: ContractScenario & { code: string }
  notFound: ContractScenario
  rateLimited: ContractScenario
  /** The carrier answers something that is not its format. */
  garbage: ContractScenario
  /** Raw bodies `parse()` must refuse with `unexpected_response`. */
  garbageBodies?: string[]
  /** What the carrier says of itself, for detection, alerts and the business calendar. */
  facts: {
    /** Numbers it claims, with the confidence it gives each. */
    claims: Array<{ trackingNumber: string; confidence: number }>
    /** Numbers it accepts without claiming them (another carrier's own), if any. */
    unclaimed?: string[]
    pickupHoldDays: number
    /** The day kind of a parcel of each service (undefined: the carrier's own default). */
    deliveryDays: Array<[service: string | undefined, kind: DayKind]>
  }
}

const JUNK_NUMBERS = [
  '',
  'HELLO',
  '123',
  'X'.repeat(60),
  "1' OR '1'='1",
  '<script>',
  '../../etc/passwd',
  '😀😀😀',
]
const GARBAGE_BODIES = [
  '',
  'null',
  '{',
  '[]x',
  '<html><body>Maintenance</body></html>',
  '{"foo":1}',
  '\u0000\u0001',
]

async function expectCarrierError(
  promise: Promise<unknown>,
  kind: CarrierError['kind'],
): Promise<CarrierError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(CarrierError)
  expect((error as CarrierError).kind).toBe(kind)
  return error as CarrierError
}

/** What the suite passes to the adapter's factory. */
export interface ContractHooks {
  onUnknownCode?: UnknownCodeHook
}

/** The suite every carrier adapter passes, fed with that carrier's own fixtures. */
export function runAdapterContract(
  name: string,
  createAdapter: (hooks?: ContractHooks) => CarrierAdapter,
  fixtures: ContractFixtures,
) {
  describe(`${name}: carrier adapter contract`, () => {
    afterEach(() => {
      nock.cleanAll()
    })

    const track = (scenario: ContractScenario, hooks?: ContractHooks) => {
      scenario.arrange?.()
      const adapter = createAdapter(hooks)
      const { trackingNumber, registeredAt, destinationPostalCode } = scenario
      return adapter.track({ trackingNumber, registeredAt, destinationPostalCode })
    }

    it('returns a timeline sorted by instant, every timestamp with an offset', async () => {
      const snapshot = await track(fixtures.history)
      expect(snapshot.carrier).toBe(createAdapter().id)
      expect(snapshot.events.length).toBeGreaterThan(1)
      const instants = snapshot.events.map((event) => Date.parse(event.occurredAt))
      expect(instants).toEqual([...instants].sort((a, b) => a - b))
      for (const event of snapshot.events) {
        expect(hasOffset(event.occurredAt), event.occurredAt).toBe(true)
        expect(EVENT_STATUSES).toContain(event.status)
        expect(event.code).toBe(event.code.trim())
        expect(event.code.length).toBeGreaterThan(0)
      }
    })

    it('gives the same event ids when the same history is polled again', async () => {
      const first = await track(fixtures.history)
      const second = await track(fixtures.history)
      expect(second.events.map((event) => event.id)).toEqual(first.events.map((event) => event.id))
      expect(new Set(first.events.map((event) => event.id)).size).toBe(first.events.length)
    })

    it('keeps an unknown carrier code as an `unknown` event and reports it to onUnknownCode', async () => {
      const reported: Array<[string, string]> = []
      const snapshot = await track(fixtures.unknownCode, {
        onUnknownCode: (carrier, code) => reported.push([carrier, code]),
      })
      const unknown = snapshot.events.filter((event) => event.code === fixtures.unknownCode.code)
      expect(unknown.length).toBeGreaterThan(0)
      for (const event of unknown) expect(event.status).toBe('unknown')
      expect(reported).toContainEqual([createAdapter().id, fixtures.unknownCode.code])
    })

    it('reports no unknown code for a history its code table knows', async () => {
      const reported: string[] = []
      await track(fixtures.history, { onUnknownCode: (_carrier, code) => reported.push(code) })
      expect(reported).toEqual([])
    })

    it('reports a number the carrier has not scanned yet as not_found', async () => {
      await expectCarrierError(track(fixtures.notFound), 'not_found')
    })

    it('reports a carrier quota as rate_limited with a wait', async () => {
      const error = await expectCarrierError(track(fixtures.rateLimited), 'rate_limited')
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(0)
    })

    it('reports an answer in another format as unexpected_response', async () => {
      await expectCarrierError(track(fixtures.garbage), 'unexpected_response')
    })

    it('refuses garbage bodies in parse() with unexpected_response only', () => {
      const adapter = createAdapter()
      for (const body of [...GARBAGE_BODIES, ...(fixtures.garbageBodies ?? [])]) {
        let caught: unknown
        try {
          adapter.parse(body)
        } catch (error) {
          caught = error
        }
        expect(caught, JSON.stringify(body)).toBeInstanceOf(CarrierError)
        expect((caught as CarrierError).kind).toBe('unexpected_response')
      }
    })

    it('claims its numbers with a confidence and a reason, and nothing of junk', () => {
      const adapter = createAdapter()
      for (const { trackingNumber, confidence } of fixtures.facts.claims) {
        expect(adapter.accepts(trackingNumber), trackingNumber).toBe(true)
        const claim = adapter.claimNumber(trackingNumber)
        expect(claim?.confidence, trackingNumber).toBe(confidence)
        expect(claim?.reason.length, trackingNumber).toBeGreaterThan(5)
      }
      for (const trackingNumber of fixtures.facts.unclaimed ?? []) {
        expect(adapter.accepts(trackingNumber), trackingNumber).toBe(true)
        expect(adapter.claimNumber(trackingNumber), trackingNumber).toBeUndefined()
      }
      for (const junk of JUNK_NUMBERS) expect(adapter.claimNumber(junk), junk).toBeUndefined()
    })

    it('says how long a pickup point holds its parcels and which days it delivers on', () => {
      const adapter = createAdapter()
      expect(adapter.pickupHoldDays).toBe(fixtures.facts.pickupHoldDays)
      for (const [service, kind] of fixtures.facts.deliveryDays) {
        expect(deliveryDayKindFor(service ?? adapter.id, adapter.deliveryDays), String(service)).toBe(kind)
      }
      for (const service of Object.keys(adapter.deliveryDays.byService ?? {})) {
        expect(service).toBe(service.trim().toLowerCase())
      }
    })

    it('gives alerts the same facts without being built', () => {
      const adapter = createAdapter()
      const facts = alertFactsOf(adapter.id)
      expect(facts).toEqual({
        id: adapter.id,
        pickupHoldDays: adapter.pickupHoldDays,
        deliveryDays: adapter.deliveryDays,
      })
    })

    it('lists only the credentials it sends as secrets', () => {
      const secrets = createAdapter().listSecrets()
      for (const secret of secrets) expect(secret.length).toBeGreaterThan(0)
      if (!createAdapter().needsCredentials) expect(secrets).toEqual([])
    })

    it('accepts its own numbers and rejects junk with a reason', () => {
      const adapter = createAdapter()
      expect(adapter.accepts(fixtures.history.trackingNumber)).toBe(true)
      for (const junk of JUNK_NUMBERS) {
        expect(adapter.accepts(junk), junk).toBe(false)
        const check = adapter.checkNumber(junk)
        expect(check.ok).toBe(false)
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(5)
      }
    })
  })
}
