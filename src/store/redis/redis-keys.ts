import type { AnalyticsCell } from '../../domain/analytics/analytics-cell.js'
import { shardOfRegistration, shardOfText } from '../shards.js'
import { shardTags } from './shard-tags.js'

/**
 * Every Redis key colis writes, under one prefix (COLIS_REDIS_PREFIX), for `shards` logical shards
 * (COLIS_SHARDS, see shards.ts).
 *
 * One shard (the default on one Redis): every key starts with the prefix, as it always has. Several:
 * a tracking's keys and its shard's indexes start with the shard's hash tag (`{<prefix>:<shard>…}`, see
 * shard-tags.ts), so
 * every script over a shard touches one Redis Cluster slot; the data of no tracking (keys, endpoints,
 * deliveries, carrier state) starts with `{<prefix>}`, one slot of its own, except a merchant's
 * settings and logos, under `{<prefix>:m:<merchant>}`. A tracking's own keys find
 * their shard from its id; an index takes the shard it belongs to as its first argument.
 */
export function createRedisKeys(prefix: string, shards = 1) {
  const sharded = shards > 1
  const shared = sharded ? `{${prefix}}` : prefix
  const tags = sharded ? shardTags(prefix, shards).map((tag) => `{${tag}}`) : [prefix]
  const tagOf = (shard: number) => {
    const tag = tags[shard]
    if (tag === undefined) throw new RangeError(`shard ${shard} is not one of ${shards}`)
    return tag
  }
  /**
   * A merchant's own slot, for what is only ever read and written one merchant at a time (settings and
   * logos): every page view reads them, and logos are the largest values of no tracking.
   */
  const merchantTag = (merchantId: string) =>
    sharded ? `{${prefix}:m:${merchantId}}` : `${prefix}:m:${merchantId}`
  /** The tag of the shard an id or a page token hashes to. */
  const tagOfId = (id: string) => tagOf(shardOfText(id, shards))
  return {
    shards,
    /** The shard of a tracking, from its id alone. */
    shardOf: (trackingId: string) => shardOfText(trackingId, shards),
    tracking: (id: string) => `${tagOfId(id)}:trk:${id}`,
    trackingByNumber: (merchantId: string, carrier: string, number: string) =>
      `${tagOf(shardOfRegistration({ merchantId, carrier, trackingNumber: number }, shards))}:m:${merchantId}:num:${carrier}:${number}`,
    /** The tracking a public page token opens (`<tracking id>:<merchant id>`), whatever its merchant. */
    pageToken: (token: string) => `${tagOfId(token)}:page:${token}`,
    /**
     * The trackings of one shard registered with one of a merchant's order ids (list members, as in
     * the lists). Order ids are the last part: the merchant id holds no `:`, so no two pairs share a key.
     */
    merchantOrder: (shard: number, merchantId: string, orderId: string) =>
      `${tagOf(shard)}:m:${merchantId}:order:${orderId}`,
    merchantAll: (shard: number, merchantId: string) => `${tagOf(shard)}:m:${merchantId}:idx:all`,
    merchantStatus: (shard: number, merchantId: string, status: string) =>
      `${tagOf(shard)}:m:${merchantId}:idx:s:${status}`,
    merchantCarrier: (shard: number, merchantId: string, carrier: string) =>
      `${tagOf(shard)}:m:${merchantId}:idx:c:${carrier}`,
    merchantCarrierStatus: (shard: number, merchantId: string, carrier: string, status: string) =>
      `${tagOf(shard)}:m:${merchantId}:idx:cs:${carrier}:${status}`,
    /** Trackings waiting for their next poll, scored by when it is due (ms). */
    due: (shard: number, carrier: string) => `${tagOf(shard)}:poll:due:${carrier}`,
    /** Trackings handed to a poll job, scored by when that lease runs out (ms). */
    inflight: (shard: number, carrier: string) => `${tagOf(shard)}:poll:inflight:${carrier}`,
    refreshAfterPoll: (shard: number, carrier: string) => `${tagOf(shard)}:poll:refresh:${carrier}`,
    /** Open or resolved alerts of a merchant, newest first (optionally of one type). */
    merchantAlerts: (shard: number, merchantId: string, state: 'open' | 'resolved', type?: string) =>
      `${tagOf(shard)}:m:${merchantId}:alerts:${state}${type ? `:${type}` : ''}`,
    /** Trackings of a merchant with an open alert of a type. */
    merchantAlertTrackings: (shard: number, merchantId: string, type: string) =>
      `${tagOf(shard)}:m:${merchantId}:idx:alert:${type}`,
    /** Trackings whose alerts may change with time alone, scored by when (ms): the sweep's index. */
    alertsDue: (shard: number) => `${tagOf(shard)}:alerts:due`,
    alertsInflight: (shard: number) => `${tagOf(shard)}:alerts:inflight`,
    /** Notifications written with the state change that caused them (Redis stream). */
    outbox: (shard: number) => `${tagOf(shard)}:outbox`,
    webhook: (id: string) => `${shared}:wh:${id}`,
    merchantWebhooks: (merchantId: string) => `${shared}:m:${merchantId}:webhooks`,
    /**
     * A copy of `merchantWebhooks` in a shard, which a save there reads to know whether anyone listens.
     * With one shard it is `merchantWebhooks` itself.
     */
    merchantWebhooksInShard: (shard: number, merchantId: string) =>
      `${tagOf(shard)}:m:${merchantId}:webhooks`,
    /** Shopper subscriptions of one tracking: they go away with it. */
    trackingSubscriptions: (trackingId: string) => `${tagOfId(trackingId)}:trk:${trackingId}:subs`,
    /**
     * A tracking's e-mail subscriptions (`s:<id>`) and their deliveries (`d:<id>:<milestone>`) in one
     * hash: it goes with the tracking, and expires as a whole once the parcel's life is over.
     */
    trackingEmails: (trackingId: string) => `${tagOfId(trackingId)}:trk:${trackingId}:mail`,
    delivery: (id: string) => `${shared}:dlv:${id}`,
    webhookDeliveries: (endpointId: string) => `${shared}:wh:${endpointId}:deliveries`,
    apiKey: (keyId: string) => `${shared}:apikey:${keyId}`,
    merchantApiKeys: (merchantId: string) => `${shared}:m:${merchantId}:apikeys`,
    /** Every API key id, for the admin listing. */
    allApiKeys: () => `${shared}:apikeys`,
    /** A merchant's settings document (branding, withdrawal period). */
    merchantSettings: (merchantId: string) => `${merchantTag(merchantId)}:settings`,
    /** The bytes of a merchant's logo, under their SHA-256: a replaced logo's key is deleted. */
    merchantLogo: (merchantId: string, sha256: string) => `${merchantTag(merchantId)}:logo:${sha256}`,
    /** A merchant dashboard session, under the SHA-256 of its id (the cookie's value). */
    dashboardSession: (idSha256: string) => `${shared}:dash:session:${idSha256}`,
    /** Pub/sub channel: the id of each revoked API key, so every API process forgets it at once. */
    apiKeyRevocations: () => `${shared}:apikeys:revoked`,
    /** Ids of a shard's open alerts of a type, every merchant together (the open-alerts metric). */
    openAlerts: (shard: number, type: string) => `${tagOf(shard)}:alerts:open:${type}`,
    /**
     * One cell-week's counters and histograms (analytics-fields.ts), from the parcels of one shard.
     * Each part is URI-encoded: a service or a merchant id holding `:` cannot make two cells share a key.
     */
    analyticsCell: (shard: number, cell: AnalyticsCell) =>
      `${tagOf(shard)}:an:${[cell.merchantId, cell.carrier, cell.service, cell.destination, cell.week].map(encodeURIComponent).join(':')}`,
    /** A merchant's cell-weeks in a shard (members: `cellMember`), scored by week (`weekScore`). */
    merchantAnalyticsCells: (shard: number, merchantId: string) => `${tagOf(shard)}:m:${merchantId}:an:cells`,
    /** Every merchant's cell-weeks in a shard, for the operator's view. */
    analyticsCells: (shard: number) => `${tagOf(shard)}:analytics:cells`,
    /** How many counts a merchant's cell-weeks in a shard have taken: their version, which only grows. */
    merchantAnalyticsVersion: (shard: number, merchantId: string) =>
      `${tagOf(shard)}:m:${merchantId}:an:version`,
    /** A merchant's cell-weeks in a shard counted lately, scored by the version of their last count. */
    merchantAnalyticsChanges: (shard: number, merchantId: string) =>
      `${tagOf(shard)}:m:${merchantId}:an:changes`,
    analyticsVersion: (shard: number) => `${tagOf(shard)}:analytics:version`,
    analyticsChanges: (shard: number) => `${tagOf(shard)}:analytics:changes`,
    carrierFailures: (carrier: string) => `${shared}:carrier:${carrier}:failures`,
    /** Codes a carrier's table lacks, by last sighting (ms); `first`, `counts` and wordings beside. */
    unknownCodes: (carrier: string) => `${shared}:carrier:${carrier}:unknown-codes`,
    unknownCodesFirstSeen: (carrier: string) => `${shared}:carrier:${carrier}:unknown-codes:first`,
    unknownCodeCounts: (carrier: string) => `${shared}:carrier:${carrier}:unknown-codes:counts`,
    unknownCodeWordings: (carrier: string, code: string) =>
      `${shared}:carrier:${carrier}:unknown-codes:wordings:${code}`,
    /** What the keyspace was made with (COLIS_SHARDS): one key, the same whatever the shards. */
    keyspace: () => `${prefix}:keyspace`,
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
