import type { AnalyticsCell } from '../../domain/analytics/analytics-cell.js'

/** Every Redis key colis writes, under one prefix (COLIS_REDIS_PREFIX). */
export function createRedisKeys(prefix: string) {
  return {
    tracking: (id: string) => `${prefix}:trk:${id}`,
    trackingByNumber: (merchantId: string, carrier: string, number: string) =>
      `${prefix}:m:${merchantId}:num:${carrier}:${number}`,
    /** The tracking a public page token opens (`<tracking id>:<merchant id>`), whatever its merchant. */
    pageToken: (token: string) => `${prefix}:page:${token}`,
    /**
     * The trackings registered with one of a merchant's order ids (list members, as in the lists).
     * Order ids are the last part: the merchant id holds no `:`, so no two pairs share a key.
     */
    merchantOrder: (merchantId: string, orderId: string) => `${prefix}:m:${merchantId}:order:${orderId}`,
    merchantAll: (merchantId: string) => `${prefix}:m:${merchantId}:idx:all`,
    merchantStatus: (merchantId: string, status: string) => `${prefix}:m:${merchantId}:idx:s:${status}`,
    merchantCarrier: (merchantId: string, carrier: string) => `${prefix}:m:${merchantId}:idx:c:${carrier}`,
    merchantCarrierStatus: (merchantId: string, carrier: string, status: string) =>
      `${prefix}:m:${merchantId}:idx:cs:${carrier}:${status}`,
    /** Trackings waiting for their next poll, scored by when it is due (ms). */
    due: (carrier: string) => `${prefix}:poll:due:${carrier}`,
    /** Trackings handed to a poll job, scored by when that lease runs out (ms). */
    inflight: (carrier: string) => `${prefix}:poll:inflight:${carrier}`,
    refreshAfterPoll: (carrier: string) => `${prefix}:poll:refresh:${carrier}`,
    /** Open or resolved alerts of a merchant, newest first (optionally of one type). */
    merchantAlerts: (merchantId: string, state: 'open' | 'resolved', type?: string) =>
      `${prefix}:m:${merchantId}:alerts:${state}${type ? `:${type}` : ''}`,
    /** Trackings of a merchant with an open alert of a type. */
    merchantAlertTrackings: (merchantId: string, type: string) =>
      `${prefix}:m:${merchantId}:idx:alert:${type}`,
    /** Trackings whose alerts may change with time alone, scored by when (ms): the sweep's index. */
    alertsDue: () => `${prefix}:alerts:due`,
    alertsInflight: () => `${prefix}:alerts:inflight`,
    /** Notifications written with the state change that caused them (Redis stream). */
    outbox: () => `${prefix}:outbox`,
    webhook: (id: string) => `${prefix}:wh:${id}`,
    merchantWebhooks: (merchantId: string) => `${prefix}:m:${merchantId}:webhooks`,
    /** Shopper subscriptions of one tracking: they go away with it. */
    trackingSubscriptions: (trackingId: string) => `${prefix}:trk:${trackingId}:subs`,
    /**
     * A tracking's e-mail subscriptions (`s:<id>`) and their deliveries (`d:<id>:<milestone>`) in one
     * hash: it goes with the tracking, and expires as a whole once the parcel's life is over.
     */
    trackingEmails: (trackingId: string) => `${prefix}:trk:${trackingId}:mail`,
    delivery: (id: string) => `${prefix}:dlv:${id}`,
    webhookDeliveries: (endpointId: string) => `${prefix}:wh:${endpointId}:deliveries`,
    apiKey: (keyId: string) => `${prefix}:apikey:${keyId}`,
    merchantApiKeys: (merchantId: string) => `${prefix}:m:${merchantId}:apikeys`,
    /** Every API key id, for the admin listing. */
    allApiKeys: () => `${prefix}:apikeys`,
    /** A merchant's settings document (branding, withdrawal period). */
    merchantSettings: (merchantId: string) => `${prefix}:m:${merchantId}:settings`,
    /** The bytes of a merchant's logo, under their SHA-256: a replaced logo's key is deleted. */
    merchantLogo: (merchantId: string, sha256: string) => `${prefix}:m:${merchantId}:logo:${sha256}`,
    /** A merchant dashboard session, under the SHA-256 of its id (the cookie's value). */
    dashboardSession: (idSha256: string) => `${prefix}:dash:session:${idSha256}`,
    /** Pub/sub channel: the id of each revoked API key, so every API process forgets it at once. */
    apiKeyRevocations: () => `${prefix}:apikeys:revoked`,
    /** Ids of the open alerts of a type, every merchant together (the open-alerts metric). */
    openAlerts: (type: string) => `${prefix}:alerts:open:${type}`,
    /**
     * One cell-week's counters and histograms (analytics-fields.ts). Each part is URI-encoded: a
     * service or a merchant id holding `:` cannot make two cells share a key.
     */
    analyticsCell: (cell: AnalyticsCell) =>
      `${prefix}:an:${[cell.merchantId, cell.carrier, cell.service, cell.destination, cell.week].map(encodeURIComponent).join(':')}`,
    /** A merchant's cell-weeks (members: `cellMember`), scored by week (`weekScore`). */
    merchantAnalyticsCells: (merchantId: string) => `${prefix}:m:${merchantId}:an:cells`,
    /** Every merchant's cell-weeks, for the operator's view. */
    analyticsCells: () => `${prefix}:analytics:cells`,
    /** How many counts a merchant's cell-weeks have taken: their version, which only grows. */
    merchantAnalyticsVersion: (merchantId: string) => `${prefix}:m:${merchantId}:an:version`,
    /** A merchant's cell-weeks counted lately, scored by the version of their last count. */
    merchantAnalyticsChanges: (merchantId: string) => `${prefix}:m:${merchantId}:an:changes`,
    analyticsVersion: () => `${prefix}:analytics:version`,
    analyticsChanges: () => `${prefix}:analytics:changes`,
    carrierFailures: (carrier: string) => `${prefix}:carrier:${carrier}:failures`,
    /** Codes a carrier's table lacks, by last sighting (ms); `first`, `counts` and wordings beside. */
    unknownCodes: (carrier: string) => `${prefix}:carrier:${carrier}:unknown-codes`,
    unknownCodesFirstSeen: (carrier: string) => `${prefix}:carrier:${carrier}:unknown-codes:first`,
    unknownCodeCounts: (carrier: string) => `${prefix}:carrier:${carrier}:unknown-codes:counts`,
    unknownCodeWordings: (carrier: string, code: string) =>
      `${prefix}:carrier:${carrier}:unknown-codes:wordings:${code}`,
  }
}

export type RedisKeys = ReturnType<typeof createRedisKeys>

/** Lexicographic index member: newest first with ZREVRANGEBYLEX, ties broken by id. */
export function indexMember(createdAt: string, id: string): string {
  return `${String(Date.parse(createdAt)).padStart(15, '0')}:${id}`
}

/** A cell-week's member in the analytics indexes: the cell itself, which names its key. */
export function cellMember(cell: AnalyticsCell): string {
  return JSON.stringify([cell.merchantId, cell.carrier, cell.service, cell.destination, cell.week])
}

export function readCellMember(member: string): AnalyticsCell {
  const [merchantId = '', carrier = '', service = '', destination = '', week = ''] = JSON.parse(
    member,
  ) as string[]
  return { merchantId, carrier, service, destination, week }
}
