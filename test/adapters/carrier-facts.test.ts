import { describe, expect, it } from 'vitest'
import { LAPOSTE_FACTS } from '../../adapters/laposte/index.js'
import { alertFactsOf } from '../../adapters/registry.js'
import { deliveryDayKindFor } from '../../src/domain/business-calendar.js'
import { alertPolicyFor } from '../../src/domain/delay-alerts.js'

describe('alert policies from the carriers’ facts', () => {
  it.each([
    ['laposte', 'colissimo', { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvrables' }],
    ['laposte', 'courrier', { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvrables' }],
    ['laposte', 'chronopost', { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvres' }],
    ['chronopost', 'chronopost', { stalledBusinessDays: 3, pickupExpiringDays: 7, dayKind: 'ouvres' }],
    ['chronopost', undefined, { stalledBusinessDays: 3, pickupExpiringDays: 7, dayKind: 'ouvres' }],
    ['gls', undefined, { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvres' }],
    ['dhl', 'parcel-de', { stalledBusinessDays: 3, pickupExpiringDays: 6, dayKind: 'ouvrables' }],
    ['dhl', 'express', { stalledBusinessDays: 3, pickupExpiringDays: 6, dayKind: 'ouvres' }],
    ['colisprive', undefined, { stalledBusinessDays: 3, pickupExpiringDays: 7, dayKind: 'ouvrables' }],
    ['sandbox', undefined, { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvrables' }],
    ['acme-html', undefined, { stalledBusinessDays: 3, pickupExpiringDays: 10, dayKind: 'ouvrables' }],
  ] as const)('%s / %s', (carrier, service, policy) => {
    expect(alertPolicyFor(alertFactsOf(carrier), service)).toEqual(policy)
  })

  it('lets overrides win per carrier and per service', () => {
    const overrides = {
      stalledBusinessDays: { chronopost: 2 },
      pickupExpiringDays: { laposte: 15 },
      dayKinds: { colissimo: 'ouvres' as const },
    }
    expect(alertPolicyFor(alertFactsOf('chronopost'), 'chronopost', overrides)).toEqual({
      stalledBusinessDays: 2,
      pickupExpiringDays: 7,
      dayKind: 'ouvres',
    })
    expect(alertPolicyFor(alertFactsOf('laposte'), 'colissimo', overrides)).toEqual({
      stalledBusinessDays: 3,
      pickupExpiringDays: 15,
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
