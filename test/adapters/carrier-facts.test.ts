import { describe, expect, it } from 'vitest'
import { LAPOSTE_FACTS } from '../../adapters/laposte/index.js'
import { alertFactsOf } from '../../adapters/registry.js'
import { deliveryDayKindFor } from '../../src/domain/business-calendar.js'
import { alertPolicyFor } from '../../src/domain/delay-alerts.js'

describe('alert policies from the carriers’ facts', () => {
  it.each([
    ['laposte', 'colissimo', 10, 'ouvrables'],
    ['laposte', 'courrier', 10, 'ouvrables'],
    ['laposte', 'chronopost', 10, 'ouvres'],
    ['chronopost', 'chronopost', 7, 'ouvres'],
    ['chronopost', undefined, 7, 'ouvres'],
    ['gls', undefined, 10, 'ouvres'],
    ['dhl', 'parcel-de', 6, 'ouvrables'],
    ['dhl', 'express', 6, 'ouvres'],
    ['colisprive', undefined, 7, 'ouvrables'],
    ['sandbox', undefined, 10, 'ouvrables'],
    ['acme-html', undefined, 10, 'ouvrables'],
  ] as const)('%s / %s: held %s days, %s', (carrier, service, pickupHoldDays, dayKind) => {
    expect(alertPolicyFor(alertFactsOf(carrier), service)).toEqual({
      stalledBusinessDays: 3,
      pickupHoldDays,
      pickupNoticeDays: 2,
      dayKind,
    })
  })

  it('lets overrides win per carrier and per service', () => {
    const overrides = {
      stalledBusinessDays: { chronopost: 2 },
      pickupHoldDays: { laposte: 15 },
      pickupNoticeDays: 1,
      dayKinds: { colissimo: 'ouvres' as const },
    }
    expect(alertPolicyFor(alertFactsOf('chronopost'), 'chronopost', overrides)).toEqual({
      stalledBusinessDays: 2,
      pickupHoldDays: 7,
      pickupNoticeDays: 1,
      dayKind: 'ouvres',
    })
    expect(alertPolicyFor(alertFactsOf('laposte'), 'colissimo', overrides)).toEqual({
      stalledBusinessDays: 3,
      pickupHoldDays: 15,
      pickupNoticeDays: 1,
      dayKind: 'ouvres',
    })
  })

  it("lets overrides win over La Poste's services, case-insensitively", () => {
    const days = LAPOSTE_FACTS.deliveryDays
    expect(deliveryDayKindFor('colissimo', days, { colissimo: 'ouvres' })).toBe('ouvres')
    expect(deliveryDayKindFor('chronopost', days, { Chronopost: 'ouvrables' })).toBe('ouvrables')
    expect(deliveryDayKindFor('courrier', days, { colissimo: 'ouvres' })).toBe('ouvrables')
  })
})
