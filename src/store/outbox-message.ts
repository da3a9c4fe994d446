/** A notification written with the state change that caused it; a relay turns it into deliveries. */
export interface OutboxMessage {
  type: string
  merchantId: string
  trackingId: string
  sequence: number
  /** When the change happened (the payload's `timestamp`). */
  timestamp: string
  /** The payload's `data`, as JSON. */
  data: string
}
