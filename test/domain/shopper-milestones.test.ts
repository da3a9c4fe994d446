import { describe, expect, it } from 'vitest'
import type { DelayAlert } from '../../src/domain/alert.js'
import { type MilestoneSource, milestonesOf } from '../../src/domain/shopper-milestones.js'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import type { EventStatus } from '../../src/domain/tracking-status.js'

const AT = '2026-12-07T10:00:00.000Z'

function scan(id: string, status: EventStatus, occurredAt: string, extra: Partial<TrackingEvent> = {}) {
  return { id, status, occurredAt, code: id.toUpperCase(), description: `scan ${id}`, ...extra }
}

const LABEL = scan('label', 'info_received', '2026-12-05T08:00:00+01:00')
const PICKUP = scan('pickup', 'in_transit', '2026-12-05T14:00:00+01:00', { location: { city: 'Paris' } })
const TRANSIT = scan('transit', 'in_transit', '2026-12-06T02:00:00+01:00')
const OUT = scan('out', 'out_for_delivery', '2026-12-07T08:00:00+01:00')
const ABSENT = scan('absent', 'failed_attempt', '2026-12-07T11:00:00+01:00', {
  description: 'Destinataire absent, avisé en point relais',
})
const RELAY = scan('relay', 'available_for_pickup', '2026-12-07T18:00:00+01:00', {
  location: { name: 'Tabac du Port', city: 'Nantes', postalCode: '44000' },
})
const DELIVERED = scan('delivered', 'delivered', '2026-12-08T10:30:00+01:00', {
  location: { city: 'Nantes' },
})
const RETURNED = scan('return', 'returned_to_sender', '2026-12-09T09:00:00+01:00')

function alert(type: DelayAlert['type'], details: Record<string, unknown> = {}): DelayAlert {
  return { id: `alr_${type}`, type, openedAt: AT, details }
}

const milestones = (source: MilestoneSource, options?: { pickupHoldDays?: number }) =>
  milestonesOf(source, AT, options).map(({ milestone }) => milestone)

describe('shopper milestones of an outbox notification', () => {
  it.each<[string, MilestoneSource, string[]]>([
    [
      'the first scan arrives: shipped',
      {
        type: 'tracking.updated',
        tracking: { status: 'in_transit', events: [LABEL, PICKUP] },
        newEvents: [PICKUP],
      },
      ['shipped'],
    ],
    [
      'the label alone is no scan',
      {
        type: 'tracking.updated',
        tracking: { status: 'info_received', events: [LABEL] },
        newEvents: [LABEL],
      },
      [],
    ],
    [
      'a later scan is not the first one',
      {
        type: 'tracking.updated',
        tracking: { status: 'in_transit', events: [LABEL, PICKUP, TRANSIT] },
        newEvents: [TRANSIT],
      },
      [],
    ],
    [
      'a parcel first seen out for delivery is not announced as shipped',
      {
        type: 'tracking.updated',
        tracking: { status: 'out_for_delivery', events: [LABEL, PICKUP, OUT] },
        newEvents: [LABEL, PICKUP, OUT],
      },
      [],
    ],
    [
      'out for delivery',
      { type: 'tracking.status_changed', tracking: { status: 'out_for_delivery', events: [OUT] } },
      ['out_for_delivery'],
    ],
    [
      'a failed attempt',
      { type: 'tracking.status_changed', tracking: { status: 'failed_attempt', events: [ABSENT] } },
      ['failed_attempt'],
    ],
    [
      'at the pickup point',
      { type: 'tracking.status_changed', tracking: { status: 'available_for_pickup', events: [RELAY] } },
      ['available_for_pickup'],
    ],
    [
      'delivered',
      { type: 'tracking.status_changed', tracking: { status: 'delivered', events: [DELIVERED] } },
      ['delivered'],
    ],
    [
      'returned',
      { type: 'tracking.status_changed', tracking: { status: 'returned_to_sender', events: [RETURNED] } },
      ['returned_to_sender'],
    ],
    [
      'in transit is no milestone',
      { type: 'tracking.status_changed', tracking: { status: 'in_transit', events: [PICKUP] } },
      [],
    ],
    [
      'an exception is no milestone',
      { type: 'tracking.status_changed', tracking: { status: 'exception' } },
      [],
    ],
    [
      'pickup_expiring opens: the reminder',
      {
        type: 'alert.opened',
        tracking: { status: 'available_for_pickup' },
        alert: alert('pickup_expiring', { lastCollectionDay: '2026-12-17' }),
      },
      ['pickup_reminder'],
    ],
    [
      'late opens: delayed',
      { type: 'alert.opened', tracking: { status: 'in_transit' }, alert: alert('late') },
      ['delayed'],
    ],
    [
      'at_risk opens: delayed',
      { type: 'alert.opened', tracking: { status: 'in_transit' }, alert: alert('at_risk') },
      ['delayed'],
    ],
    [
      'stalled is no milestone',
      { type: 'alert.opened', tracking: { status: 'in_transit' }, alert: alert('stalled') },
      [],
    ],
    [
      'a resolved alert is none',
      { type: 'alert.resolved', tracking: { status: 'in_transit' }, alert: alert('late') },
      [],
    ],
  ])('%s', (_name, source, expected) => {
    expect(milestones(source)).toEqual(expected)
  })

  it('gives the pickup point and its last day: from the open alert, else from the hold', () => {
    const tracking = { status: 'available_for_pickup' as const, events: [ABSENT, RELAY] }
    const [fromHold] = milestonesOf({ type: 'tracking.status_changed', tracking }, AT, { pickupHoldDays: 10 })
    expect(fromHold?.facts).toEqual({
      at: RELAY.occurredAt,
      place: RELAY.location,
      carrierWording: RELAY.description,
      lastCollectionDay: '2026-12-17',
    })
    const withAlert = { ...tracking, alerts: [alert('pickup_expiring', { lastCollectionDay: '2026-12-12' })] }
    const [fromAlert] = milestonesOf({ type: 'tracking.status_changed', tracking: withAlert }, AT, {
      pickupHoldDays: 10,
    })
    expect(fromAlert?.facts.lastCollectionDay).toBe('2026-12-12')
    const [unknown] = milestonesOf({ type: 'tracking.status_changed', tracking }, AT)
    expect(unknown?.facts.lastCollectionDay).toBeUndefined()
  })

  it("gives a failed attempt's carrier wording, a delivery's time and a delay's new estimate", () => {
    const [failed] = milestonesOf(
      { type: 'tracking.status_changed', tracking: { status: 'failed_attempt', events: [OUT, ABSENT] } },
      AT,
    )
    expect(failed?.facts.carrierWording).toBe('Destinataire absent, avisé en point relais')
    const [delivered] = milestonesOf(
      { type: 'tracking.status_changed', tracking: { status: 'delivered', events: [DELIVERED] } },
      AT,
    )
    expect(delivered?.facts.deliveredAt).toBe(DELIVERED.occurredAt)
    const [delayed] = milestonesOf(
      {
        type: 'alert.opened',
        tracking: {
          status: 'in_transit',
          estimatedDelivery: '2026-12-10',
          promisedDeliveryDate: '2026-12-08',
        },
        alert: alert('late'),
      },
      AT,
    )
    expect(delayed?.facts).toEqual({
      at: AT,
      estimatedDelivery: '2026-12-10',
      promisedDeliveryDate: '2026-12-08',
    })
  })
})
