import type { AlertType, DelayAlert } from '../domain/delay-alerts.js'
import type { TrackingRecord } from '../domain/tracking.js'
import type { TrackingEvent } from '../domain/tracking-event.js'
import type { StoredTracking, TrackingChange } from '../domain/tracking-lifecycle.js'
import type { TrackingStatus } from '../domain/tracking-status.js'

export interface NewTracking {
  merchantId: string
  carrier: string
  trackingNumber: string
  promisedDeliveryDate?: string
  /** When the parcel was shipped and within how many business days it was promised. */
  promise?: { shippedAt: string; businessDays: number; dayKind?: 'ouvrables' | 'ouvres' }
  destinationCountry?: string
  destinationPostalCode?: string
  orderId?: string
  metadata?: Record<string, unknown>
}

export interface ListQuery {
  status?: TrackingStatus
  carrier?: string
  /** Only trackings with an open alert of this type. */
  alert?: AlertType
  limit: number
  cursor?: string
}

export interface Page<T> {
  data: T[]
  nextCursor?: string
}

/** A tracking as a poll sees it: the version makes the save a compare-and-set. */
export interface PollView extends StoredTracking {
  version: number
}

/**
 * What a save writes: a `TrackingChange` of the lifecycle, or any change of the same facts (its
 * notifications may be left out). The store derives its indexes and schedules from them: `nextPoll`
 * undefined leaves the poll schedule as it is, `alerts` undefined leaves the alert checks as they are.
 */
export type TrackingSave = Pick<
  TrackingChange<PollView>,
  'before' | 'record' | 'events' | 'nextPoll' | 'alerts'
> &
  Partial<Pick<TrackingChange<PollView>, 'notifications'>>

export interface AlertQuery {
  state: 'open' | 'resolved'
  type?: AlertType
  limit: number
  cursor?: string
}

export type StoredAlert = DelayAlert & { trackingId: string }

export type SaveOutcome = 'saved' | 'conflict' | 'gone'
export type RefreshOutcome = 'queued' | 'due' | 'running'

/** The most parcels `findByOrder` answers for one order: the most recently registered. */
export const ORDER_PARCELS_LIMIT = 20

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
}

export interface TrackingStore {
  /**
   * How many logical shards the trackings are spread over (COLIS_SHARDS), numbered from 0: the poll
   * schedule and the alert checks are claimed shard by shard, so processes can split the shards.
   */
  readonly shards: number
  register(
    input: NewTracking,
    now: Date,
    options?: { nextAlertCheckAtMs?: number },
  ): Promise<{ record: TrackingRecord; events: TrackingEvent[]; created: boolean }>
  /**
   * `register` for many parcels in one round trip, in order: a number given twice is created by its
   * first item and found (created: false) by the next.
   */
  registerMany(
    items: ReadonlyArray<{ input: NewTracking; nextAlertCheckAtMs?: number }>,
    now: Date,
  ): Promise<Array<{ record: TrackingRecord; events: TrackingEvent[]; created: boolean }>>
  /** The tracking, its timeline and when its next poll is due (ms, if one is waiting), in one read. */
  get(
    merchantId: string,
    id: string,
  ): Promise<{ record: TrackingRecord; events: TrackingEvent[]; nextDueAtMs?: number } | undefined>
  /**
   * `get` with the timeline left as its JSON text (`JSON.stringify` of the events): what the API
   * serves, without parsing and re-encoding it.
   */
  read(
    merchantId: string,
    id: string,
  ): Promise<{ record: TrackingRecord; eventsJson: string; nextDueAtMs?: number } | undefined>
  list(merchantId: string, query: ListQuery): Promise<Page<TrackingRecord>>
  /**
   * The tracking whose public page `token` opens, whatever its merchant: the token is the only
   * credential. Undefined for any token that is not the tracking's current one (rotated, deleted).
   * The events may be shared with other callers: never mutate them.
   */
  findByPageToken(token: string): Promise<{ record: TrackingRecord; events: TrackingEvent[] } | undefined>
  /**
   * The trackings of `merchantId` registered with `orderId`, newest first, at most
   * ORDER_PARCELS_LIMIT of them; none for a tracking registered without one.
   */
  findByOrder(merchantId: string, orderId: string): Promise<TrackingRecord[]>
  /** Gives the tracking a new page token at once: the old one opens nothing from then on. Undefined: no such tracking. */
  rotatePageToken(merchantId: string, id: string): Promise<string | undefined>
  delete(merchantId: string, id: string): Promise<boolean>
  requestRefresh(merchantId: string, id: string, nowMs: number): Promise<RefreshOutcome | undefined>
  loadForPoll(ids: readonly string[]): Promise<Array<PollView | undefined>>
  /** Compare-and-set of each change on its own, in order: `conflict` when its tracking was written since it was loaded. */
  save(changes: readonly TrackingSave[]): Promise<SaveOutcome[]>
  /** Trackings of one shard whose poll is due, leased to the caller for `leaseMs`. */
  claimDue(shard: number, carrier: string, nowMs: number, limit: number, leaseMs: number): Promise<string[]>
  /**
   * A page of the trackings of `carrier` still polled (waiting for a poll or being polled), in no
   * order: start without a cursor, go on with the one given until none is. A tracking polled
   * throughout the scan is given at least once (maybe twice); one a poll moves meanwhile may be missed
   * by one pass. A page may be empty before the end.
   */
  scanPolled(carrier: string, count: number, cursor?: string): Promise<{ ids: string[]; cursor?: string }>
  /** Trackings of one shard whose alerts may have changed with time, leased like polls. */
  claimAlertChecks(shard: number, nowMs: number, limit: number, leaseMs: number): Promise<string[]>
  listAlerts(merchantId: string, query: AlertQuery): Promise<Page<StoredAlert>>
  /** How many alerts of each type the merchant has open now: the dashboard's figure. */
  countOpenAlerts(merchantId: string): Promise<Record<AlertType, number>>
}
