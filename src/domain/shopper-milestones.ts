import type { DelayAlert } from './alert.js'
import type { DeliveryWindow } from './carrier-snapshot.js'
import { lastCollectionDayAfter, pickupWaitingSince } from './delay-alerts.js'
import { instantOf } from './paris-time.js'
import type { EventLocation, TrackingEvent } from './tracking-event.js'
import type { EventStatus, TrackingStatus } from './tracking-status.js'
import type { WebhookEventType } from './webhook-events.js'

/** What a shopper is told about, once each per parcel and subscription. */
export const SHOPPER_MILESTONES = [
  'shipped',
  'out_for_delivery',
  'available_for_pickup',
  'pickup_reminder',
  'failed_attempt',
  'delivered',
  'delayed',
  'returned_to_sender',
] as const
export type ShopperMilestone = (typeof SHOPPER_MILESTONES)[number]

/** The languages shoppers are written to in. */
export const SHOPPER_LANGUAGES = ['fr', 'en'] as const
export type ShopperLanguage = (typeof SHOPPER_LANGUAGES)[number]

/** The facts a milestone's message tells, as they were when it happened (a later poll changes nothing). */
export interface MilestoneFacts {
  /** When it happened: the carrier's scan, or the alert's opening. */
  at: string
  /** Where: the pickup point, the delivery place, the scan's location. */
  place?: EventLocation
  /** The carrier's own words for the scan (failed attempt: what happens next). */
  carrierWording?: string
  /** `YYYY-MM-DD`, Europe/Paris: the pickup point keeps the parcel until the end of that day. */
  lastCollectionDay?: string
  estimatedDelivery?: string
  estimatedDeliveryWindow?: DeliveryWindow
  promisedDeliveryDate?: string
  deliveredAt?: string
}

/** One notification of the outbox, as the milestones need it (its `data` parsed). */
export interface MilestoneSource {
  type: WebhookEventType
  tracking: {
    status: TrackingStatus
    events?: TrackingEvent[]
    estimatedDelivery?: string
    estimatedDeliveryWindow?: DeliveryWindow
    promisedDeliveryDate?: string
    deliveredAt?: string
    alerts?: DelayAlert[]
  }
  newEvents?: TrackingEvent[]
  alert?: DelayAlert
}

/** Statuses a status change announces to the shopper, each with its milestone. */
const MILESTONE_BY_STATUS = {
  out_for_delivery: 'out_for_delivery',
  available_for_pickup: 'available_for_pickup',
  failed_attempt: 'failed_attempt',
  delivered: 'delivered',
  returned_to_sender: 'returned_to_sender',
} as const satisfies Partial<Record<TrackingStatus, ShopperMilestone>>

const DELAY_ALERTS: ReadonlySet<string> = new Set(['late', 'at_risk'])

/** A scan that shows the carrier holds the parcel: not the label announcement, not an unmapped code. */
const NOT_A_SCAN: ReadonlySet<EventStatus> = new Set(['info_received', 'unknown'])

const byInstant = (a: TrackingEvent, b: TrackingEvent) => instantOf(a.occurredAt) - instantOf(b.occurredAt)

function latestOf(events: readonly TrackingEvent[], status: EventStatus): TrackingEvent | undefined {
  return events
    .filter((event) => event.status === status)
    .sort(byInstant)
    .at(-1)
}

function withoutEmpty(facts: MilestoneFacts): MilestoneFacts {
  return Object.fromEntries(
    Object.entries(facts).filter(([, value]) => value !== undefined),
  ) as MilestoneFacts
}

function lastCollectionDayOf(
  source: MilestoneSource,
  pickupHoldDays: number | undefined,
): string | undefined {
  const open = (source.tracking.alerts ?? []).find(
    (alert) => alert.type === 'pickup_expiring' && alert.resolvedAt === undefined,
  )
  const fromAlert = open?.details.lastCollectionDay
  if (typeof fromAlert === 'string') return fromAlert
  const since = pickupWaitingSince(source.tracking.events ?? [])
  return since !== undefined && pickupHoldDays !== undefined
    ? lastCollectionDayAfter(since, pickupHoldDays)
    : undefined
}

/** `shipped`: this change brought the first scan, and the parcel is still on its way (not further). */
function shipped(source: MilestoneSource): MilestoneFacts | undefined {
  if (source.type !== 'tracking.updated' || source.tracking.status !== 'in_transit') return undefined
  const firstScan = (source.tracking.events ?? [])
    .filter((event) => !NOT_A_SCAN.has(event.status))
    .sort(byInstant)[0]
  if (!firstScan || !(source.newEvents ?? []).some((event) => event.id === firstScan.id)) return undefined
  return {
    at: firstScan.occurredAt,
    place: firstScan.location,
    estimatedDelivery: source.tracking.estimatedDelivery,
  }
}

function statusFacts(
  milestone: ShopperMilestone,
  source: MilestoneSource,
  at: string,
  pickupHoldDays: number | undefined,
): MilestoneFacts {
  const { tracking } = source
  const scan = latestOf(tracking.events ?? [], tracking.status as EventStatus)
  const facts: MilestoneFacts = {
    at: scan?.occurredAt ?? at,
    place: scan?.location,
    carrierWording: scan?.description,
  }
  if (milestone === 'out_for_delivery') {
    facts.estimatedDelivery = tracking.estimatedDelivery
    facts.estimatedDeliveryWindow = tracking.estimatedDeliveryWindow
  }
  if (milestone === 'available_for_pickup')
    facts.lastCollectionDay = lastCollectionDayOf(source, pickupHoldDays)
  if (milestone === 'delivered') facts.deliveredAt = tracking.deliveredAt ?? scan?.occurredAt
  return facts
}

/**
 * The shopper milestones one outbox notification announces, with their facts. A milestone may come
 * again (a re-poll, a re-opened alert, a status flapping back): the sender keeps the first one only.
 * `pickupHoldDays`: the carrier's hold, for the last collection day before `pickup_expiring` opens.
 */
export function milestonesOf(
  source: MilestoneSource,
  at: string,
  options: { pickupHoldDays?: number } = {},
): Array<{ milestone: ShopperMilestone; facts: MilestoneFacts }> {
  const found: Array<{ milestone: ShopperMilestone; facts: MilestoneFacts }> = []
  const { tracking, alert } = source
  if (source.type === 'tracking.updated') {
    const facts = shipped(source)
    if (facts) found.push({ milestone: 'shipped', facts })
  }
  if (source.type === 'tracking.status_changed' && Object.hasOwn(MILESTONE_BY_STATUS, tracking.status)) {
    const milestone = MILESTONE_BY_STATUS[tracking.status as keyof typeof MILESTONE_BY_STATUS]
    found.push({ milestone, facts: statusFacts(milestone, source, at, options.pickupHoldDays) })
  }
  if (source.type === 'alert.opened' && alert?.type === 'pickup_expiring') {
    const lastDay = alert.details.lastCollectionDay
    found.push({
      milestone: 'pickup_reminder',
      facts: {
        at: alert.openedAt,
        place: latestOf(tracking.events ?? [], 'available_for_pickup')?.location,
        lastCollectionDay: typeof lastDay === 'string' ? lastDay : undefined,
      },
    })
  }
  // A delay only the forecast predicts is the merchant's to weigh: the shopper hears of the carrier's.
  if (
    source.type === 'alert.opened' &&
    alert &&
    DELAY_ALERTS.has(alert.type) &&
    alert.details.source !== 'forecast'
  ) {
    found.push({
      milestone: 'delayed',
      facts: {
        at: alert.openedAt,
        estimatedDelivery: tracking.estimatedDelivery,
        estimatedDeliveryWindow: tracking.estimatedDeliveryWindow,
        promisedDeliveryDate: tracking.promisedDeliveryDate,
      },
    })
  }
  return found.map(({ milestone, facts }) => ({ milestone, facts: withoutEmpty(facts) }))
}
