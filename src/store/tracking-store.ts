import type { AlertType, DelayAlert } from '../domain/delay-alerts.js'
import type { TrackingRecord } from '../domain/tracking.js'
import type { TrackingEvent } from '../domain/tracking-event.js'
import type { TrackingStatus } from '../domain/tracking-status.js'
import type { OutboxMessage } from './outbox-message.js'

export interface NewTracking {
  merchantId: string
  carrier: string
  trackingNumber: string
  promisedDeliveryDate?: string
  /** When the parcel was shipped and within how many business days it was promised. */
  promise?: { shippedAt: string; businessDays: number; dayKind?: 'ouvrables' | 'ouvres' }
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

/** A tracking as a poll sees it: the version makes the write a compare-and-set. */
export interface PollView {
  record: TrackingRecord
  events: TrackingEvent[]
  version: number
}

export interface PollWrite {
  before: PollView
  record: TrackingRecord
  /** Undefined when the timeline did not change (saves rewriting it). */
  events?: TrackingEvent[]
  /** Next poll time in ms; undefined stops polling. */
  nextDueAtMs?: number
  /** Keep the poll schedule as it is (a write that is not a poll, e.g. the alert sweep). */
  keepPollSchedule?: boolean
  /** Keep the alert checks as they are: nothing alerts depend on changed (a poll that learned nothing). */
  keepAlertSchedule?: boolean
  /** Alerts opened or resolved by this write. */
  changedAlerts?: DelayAlert[]
  /** When the alerts may change with time alone (ms); undefined: never. */
  nextAlertCheckAtMs?: number
  /** Notifications to publish atomically with this state change. */
  notifications?: OutboxMessage[]
}

export interface AlertQuery {
  state: 'open' | 'resolved'
  type?: AlertType
  limit: number
  cursor?: string
}

export type StoredAlert = DelayAlert & { trackingId: string }

export type SaveOutcome = 'saved' | 'conflict' | 'gone'
export type RefreshOutcome = 'queued' | 'due' | 'running'

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError'
}

export interface TrackingStore {
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
  delete(merchantId: string, id: string): Promise<boolean>
  requestRefresh(merchantId: string, id: string, nowMs: number): Promise<RefreshOutcome | undefined>
  loadForPoll(ids: readonly string[]): Promise<Array<PollView | undefined>>
  savePolls(writes: readonly PollWrite[]): Promise<SaveOutcome[]>
  claimDue(carrier: string, nowMs: number, limit: number, leaseMs: number): Promise<string[]>
  /** Trackings whose alerts may have changed with time, leased like polls. */
  claimAlertChecks(nowMs: number, limit: number, leaseMs: number): Promise<string[]>
  listAlerts(merchantId: string, query: AlertQuery): Promise<Page<StoredAlert>>
}
