import type { DeliveryDays } from '../domain/business-calendar.js'
import type { AlertPolicy } from '../domain/delay-alerts.js'
import type { ForecastSource } from '../domain/forecast/forecast-model.js'
import type { TrackingRecord } from '../domain/tracking.js'
import type { NumberCheck } from '../domain/tracking-number.js'
import type { EventStatus } from '../domain/tracking-status.js'
import type { Logger } from '../logger.js'
import type { Metrics } from '../metrics.js'
import type { AnalyticsStore } from '../store/analytics-store.js'
import type { ApiKeyStore } from '../store/api-key-store.js'
import type { DashboardSessionStore } from '../store/dashboard-session-store.js'
import type { EmailSubscriptionStore } from '../store/email-subscription-store.js'
import type { MerchantSettingsStore } from '../store/merchant-settings-store.js'
import type { TrackingStore } from '../store/tracking-store.js'
import type { UnknownCodeStore } from '../store/unknown-code-store.js'
import type { WebhookStore } from '../store/webhook-store.js'
import type { AdminDeps } from './admin/admin-routes.js'
import type { RateLimits } from './middleware/rate-limit.js'

/** What the API needs to know of a carrier; adapters satisfy it, the API never imports them. */
export interface CarrierInfo {
  id: string
  name: string
  batchSize: number
  rateLimit: { max: number; durationMs: number }
  needsCredentials: boolean
  configured: boolean
  /** The source it reads, when it depends on the configuration. */
  source?: { name: string; bestEffort: boolean }
  checkNumber(trackingNumber: string): NumberCheck
  /** The days it delivers on: a promise given in business days counts those. */
  deliveryDays: DeliveryDays
  /** True when it tracks a parcel only with its destination postal code: registration needs one. */
  requiresDestinationPostalCode?: boolean
  /** The carrier's own public page for a number, when it has one a plain link opens. */
  publicTrackingUrl?(trackingNumber: string): string | undefined
}

export interface CarrierDetection {
  trackingNumber: string
  candidates: Array<{ carrier: string; confidence: number; reason: string }>
  problems: string[]
  winner?: string
}

/** The carriers of this deployment, as they are now (a definition file reload may change them). */
export interface CarrierCatalog {
  list(): CarrierInfo[]
  get(id: string): CarrierInfo | undefined
  detect(trackingNumber: string): CarrierDetection
  /** The status COLIS_CODE_OVERRIDES gives a code now (its own rule, else a pattern on one of its wordings). */
  codeOverride?(carrier: string, code: string, wordings: readonly string[]): EventStatus | undefined
}

/** The merchant dashboard's sign-in sessions, and what they rest on. */
export interface DashboardDeps {
  sessions: DashboardSessionStore
  /** Whether the API key a session was opened with still stands: asked on every page. */
  isKeyActive(keyId: string): Promise<boolean>
  /** DASHBOARD_SESSION_IDLE: a session ends after this long without a page (ms). */
  idleMs: number
  /** DASHBOARD_SESSION_MAX: a session ends this long after its sign-in (ms). */
  maxAgeMs: number
}

export interface AppDeps {
  store: TrackingStore
  apiKeys: Pick<ApiKeyStore, 'verify'>
  carriers: CarrierCatalog
  /** Recent carrier failures by kind, for `GET /v1/carriers`. */
  carrierFailures(carriers: readonly string[]): Promise<Map<string, Record<string, number>>>
  /** Resolves when Redis answers; rejects otherwise. */
  pingRedis(): Promise<void>
  alertPolicy(record: TrackingRecord): AlertPolicy
  webhooks: WebhookStore
  /** Branding and settings of each merchant, and their logos (served without an API key). */
  merchantSettings: MerchantSettingsStore
  /** Finished parcels by cell-week: the carrier reports of `/v1/analytics` (and the operator's, with `admin`). */
  analytics: AnalyticsStore
  /** The delivery forecast model, kept in memory and refreshed beside the API; none: no forecasts. */
  forecasts?: ForecastSource
  /** Shoppers' e-mail subscriptions, per tracking. */
  emails: EmailSubscriptionStore
  /** SMTP_URL is set: e-mails can be sent. Without it, e-mail subscriptions are refused. */
  emailEnabled?: boolean
  /** NOTIFY_RETENTION (ms): e-mail subscriptions go this long after their parcel's life is over. */
  notifyRetentionMs?: number
  /** Subscription-time SSRF check of a webhook URL (the delivery-time guard is the one that counts). */
  checkWebhookUrl(url: string): Promise<{ ok: true } | { ok: false; reason: string }>
  logger: Logger
  /** PUBLIC_BASE_URL: tracking page links are written under it. */
  publicBaseUrl: string
  now?: () => Date
  /** How long a verified API key is trusted without asking Redis again (ms); 0: always ask. */
  apiKeyCacheMs?: number
  /** How long a merchant's settings, once read, are used without asking the store again (ms); 0: always ask. */
  merchantSettingsCacheMs?: number
  /** Prometheus metrics: the API counts its requests; `GET /metrics` serves the whole registry. */
  metrics?: Metrics
  /** COLIS_METRICS_TOKEN: when set, `GET /metrics` needs it. */
  metricsToken?: string
  /** Per-API-key and failed-authentication limits (none without them). */
  rateLimits?: RateLimits
  /** TRUST_PROXY: the client address is the last X-Forwarded-For entry. */
  trustProxy?: boolean
  /** The admin API and queue dashboard; without them (no COLIS_ADMIN_TOKEN) every /admin path is 404. */
  admin?: AdminDeps
  /** The codes carriers' tables lack, for operators (with `admin`); without them that route is 404. */
  unknownCodes?: Pick<UnknownCodeStore, 'list'>
  /** The merchant dashboard; without it `/dashboard` is not there. */
  dashboard?: DashboardDeps
  /** Registers a listener told of every API key revoked by any process (undefined: some may be missed). */
  onApiKeyRevoked?(listener: (keyId: string | undefined) => void): void
}
