import type { UnknownCodeHook } from '../../adapters/contract.js'
import { alertFactsOf, type CarrierRuntime, createCarrierRuntime } from '../../adapters/registry.js'
import { CONFIG_SCHEMA, type Config, readEnvironment } from '../config.js'
import type { OutcomeFacts } from '../domain/analytics/parcel-outcome.js'
import { type AlertPolicy, alertPolicyFor } from '../domain/delay-alerts.js'
import type { PollCalendar, PollPolicy } from '../domain/poll-schedule.js'
import type { TrackingRecord } from '../domain/tracking.js'
import { type Logger, protectSecrets } from '../logger.js'
import type { Metrics } from '../metrics.js'

/** When a tracking's alerts fire, from ALERT_* and COLIS_DELIVERY_DAY_KINDS. */
export function alertPolicyFrom(
  config: Config,
): (record: Pick<TrackingRecord, 'carrier' | 'service'>) => AlertPolicy {
  const overrides = {
    stalledBusinessDays: config.ALERT_STALLED_BUSINESS_DAYS,
    pickupHoldDays: config.ALERT_PICKUP_HOLD_DAYS,
    pickupNoticeDays: config.ALERT_PICKUP_NOTICE_DAYS,
    dayKinds: config.COLIS_DELIVERY_DAY_KINDS,
  }
  return (record) => alertPolicyFor(alertFactsOf(record.carrier), record.service, overrides)
}

/** What analytics measure a finished parcel with: its carrier's delivery days, COLIS_DELIVERY_DAY_KINDS. */
export function outcomeFactsFrom(config: Config): (carrier: string) => OutcomeFacts {
  return (carrier) => ({
    deliveryDays: alertFactsOf(carrier).deliveryDays,
    dayKinds: config.COLIS_DELIVERY_DAY_KINDS,
  })
}

/** What every tracking store of a process is told, from NOTIFY_RETENTION, ANALYTICS_RETENTION and the carriers. */
export function storeOptionsFrom(config: Config) {
  return {
    notifyRetentionMs: config.NOTIFY_RETENTION,
    analyticsRetentionMs: config.ANALYTICS_RETENTION,
    outcomeFacts: outcomeFactsFrom(config),
    shards: config.COLIS_SHARDS,
    waitReplicas: { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT },
  }
}

/** The calendar part of the policy from the configuration (POLL_SCAN_HOURS, POLL_SCAN_DAYS, POLL_ROUND_*). */
export function pollCalendarFrom(
  config: Pick<Config, 'POLL_SCAN_HOURS' | 'POLL_SCAN_DAYS' | 'POLL_ROUND_HOURS' | 'POLL_IN_TRANSIT_ROUND'>,
): PollCalendar {
  return {
    scanHours: config.POLL_SCAN_HOURS,
    scanDays: config.POLL_SCAN_DAYS,
    roundHours: config.POLL_ROUND_HOURS,
    inTransitRound: config.POLL_IN_TRANSIT_ROUND,
  }
}

/** What a deployment gets without POLL_SCAN_* / POLL_ROUND_* settings: the schema's defaults. */
export const DEFAULT_POLL_CALENDAR: PollCalendar = pollCalendarFrom(
  CONFIG_SCHEMA.pick({
    POLL_SCAN_HOURS: true,
    POLL_SCAN_DAYS: true,
    POLL_ROUND_HOURS: true,
    POLL_IN_TRANSIT_ROUND: true,
  }).parse({}),
)

/** How often a tracking is polled in each state, from POLL_*. */
export function pollPolicyFrom(config: Config): PollPolicy {
  return {
    pending: config.POLL_PENDING,
    infoReceived: config.POLL_INFO_RECEIVED,
    inTransit: config.POLL_IN_TRANSIT,
    nearDelivery: config.POLL_NEAR_DELIVERY,
    exception: config.POLL_EXCEPTION,
    retry: config.POLL_RETRY,
    expireAfterMs: config.POLL_EXPIRE_AFTER,
    calendar: config.POLL_CALENDAR === 'on' ? pollCalendarFrom(config) : undefined,
  }
}

export interface CarrierOptions {
  /** Variables carrier definition files may name in headers; the process environment by default. */
  env?: Record<string, string | undefined>
  /** Counts the carrier codes no mapping knows. */
  metrics?: Metrics
  /** Also told of each code its carrier's table lacks, with the event's wording (to record it). */
  onUnknownCode?: UnknownCodeHook
}

/** Every carrier of this deployment, built-in and defined in COLIS_CARRIERS_FILE, with COLIS_CODE_OVERRIDES. */
export function createCarriers(config: Config, logger: Logger, options: CarrierOptions = {}): CarrierRuntime {
  const { metrics, onUnknownCode } = options
  return createCarrierRuntime(config, logger, {
    env: options.env ?? readEnvironment(),
    onUnknownCode:
      metrics || onUnknownCode
        ? (carrier, code, description) => {
            metrics?.countUnknownCode(carrier, code)
            onUnknownCode?.(carrier, code, description)
          }
        : undefined,
    onSecret: (secret) => protectSecrets(logger, [secret]),
  })
}
