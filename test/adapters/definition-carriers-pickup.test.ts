import { afterAll, describe, expect, it } from 'vitest'
import { createCarrierHttp } from '../../adapters/carrier-http.js'
import { COLISPRIVE_CARRIER } from '../../adapters/colisprive/index.js'
import { CarrierError } from '../../adapters/contract.js'
import { DHL_CARRIER } from '../../adapters/dhl/index.js'
import type { DefinitionCarrier } from '../../adapters/generic/builtin-definition.js'
import { GLS_CARRIER } from '../../adapters/gls/index.js'
import { alertFactsOf } from '../../adapters/registry.js'
import { loadConfig } from '../../src/config.js'
import { addCalendarDays, parisDateOf, startOfParisDay } from '../../src/domain/business-calendar.js'
import { alertPolicyFor, evaluateAlertConditions, nextAlertCheckAt } from '../../src/domain/delay-alerts.js'
import { deriveTrackingStatus } from '../../src/domain/timeline.js'
import { createSilentLogger } from '../../src/logger.js'
import { registeredRecord } from '../support/tracking-record.js'

const http = createCarrierHttp({ carrier: 'pickup-test', timeoutMs: 1000 })

afterAll(async () => {
  await http.close()
})

/**
 * Each carrier's answer for a parcel that reached its pickup point, and how long the point keeps it by
 * the carrier's own rules: calendar days counting the day it arrives.
 */
const CASES = [
  {
    carrier: GLS_CARRIER,
    number: '60483186262',
    // 10 working days: at least 12 calendar days counting the arrival day.
    keptDays: 12,
    body: JSON.stringify({
      tuStatus: [
        {
          tuNo: '60483186262',
          progressBar: { statusInfo: 'DELIVEREDPS' },
          history: [
            {
              date: '2026-10-23',
              time: '16:40:00',
              evtDscr: 'The parcel has been delivered at the ParcelShop (see ParcelShop information).',
              address: { city: 'Lyon', countryCode: 'FR' },
            },
          ],
        },
      ],
    }),
  },
  {
    carrier: DHL_CARRIER,
    number: '470800204932',
    // A Packstation keeps a parcel 7 calendar days, the day it is placed there included.
    keptDays: 7,
    body: JSON.stringify({
      shipments: [
        {
          id: '470800204932',
          service: 'parcel-de',
          events: [
            {
              timestamp: '2026-10-23T16:40:00',
              statusCode: 'transit',
              description: 'The shipment is ready for pick-up at the PACKSTATION.',
            },
          ],
        },
      ],
    }),
  },
  {
    carrier: COLISPRIVE_CARRIER,
    number: '991122334455',
    // 8 days, counted here with the day it arrives: the shortest reading of Colis Privé's rule.
    keptDays: 8,
    body:
      '<table class="tableHistoriqueColis"><tr class="bandeauText"><td headers="th-date">23/10/2026</td>' +
      '<td headers="th-statut">Votre colis vous attend au relais.</td></tr></table>',
  },
] as const satisfies ReadonlyArray<{ carrier: DefinitionCarrier<string>; [key: string]: unknown }>

describe.each(CASES)('$carrier.id: pickup hold', ({ carrier, number, keptDays, body }) => {
  it('opens pickup_expiring days before the last day at the pickup point', () => {
    const adapter = carrier.build({ config: loadConfig({}), logger: createSilentLogger(), http })
    const [snapshot] = adapter.parse(body, { trackingNumber: number })
    if (snapshot === undefined || snapshot instanceof CarrierError)
      throw new Error(`no snapshot: ${snapshot}`)
    const status = deriveTrackingStatus(snapshot.events)
    expect(status).toBe('available_for_pickup')
    const arrivedAt = snapshot.events.at(-1)?.occurredAt ?? ''
    const record = registeredRecord({
      carrier: carrier.id,
      trackingNumber: number,
      status,
      lastNewEventAt: arrivedAt,
    })
    const policy = alertPolicyFor(alertFactsOf(carrier.id), snapshot.service)
    const input = { record, events: snapshot.events, policy, nowMs: Date.parse(arrivedAt) }
    const alertAt = nextAlertCheckAt(input) ?? Number.NaN
    expect(evaluateAlertConditions({ ...input, nowMs: alertAt - 1 }).has('pickup_expiring')).toBe(false)
    const details = evaluateAlertConditions({ ...input, nowMs: alertAt }).get('pickup_expiring')
    const arrivalDay = parisDateOf(Date.parse(arrivedAt))
    expect(details).toEqual({
      waitingSince: arrivedAt,
      holdDays: policy.pickupHoldDays,
      lastCollectionDay: addCalendarDays(arrivalDay, policy.pickupHoldDays),
    })
    // The carrier's last day at the point: the arrival day and keptDays − 1 more (Paris days). colis
    // never announces a later one.
    const carriersLastDay = addCalendarDays(arrivalDay, keptDays - 1)
    expect(policy.pickupHoldDays).toBeLessThanOrEqual(keptDays - 1)
    // Real notice: open before the carrier's last day starts, not on it.
    expect(alertAt).toBeLessThan(startOfParisDay(carriersLastDay))
    expect(alertAt).toBeGreaterThan(Date.parse(arrivedAt))
  })
})
