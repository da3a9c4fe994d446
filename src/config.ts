import { z } from 'zod'
import { type DurationRange, parseDurationMs, parseDurationRange } from './duration.js'
import { hashTagOf, parseClusterSeeds } from './redis/cluster-seeds.js'

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDurationMs(text)
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a duration such as 500ms, 30s, 15m, 4h or 30d`,
        })
        return z.NEVER
      }
      return ms
    })

const durationRange = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx): DurationRange => {
      const range = parseDurationRange(text)
      if (!range) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration range such as 2h-4h` })
        return z.NEVER
      }
      return range
    })

const rate = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = text.trim().match(/^(\d+)\/(.+)$/)
      const durationMs = match?.[2] ? parseDurationMs(match[2]) : undefined
      if (!match || durationMs === undefined || Number(match[1]) < 1) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a rate such as 10/1s or 100/1m` })
        return z.NEVER
      }
      return { max: Number(match[1]), durationMs }
    })

/** `laposte=3,chronopost=2` → {laposte: 3, chronopost: 2}; values checked by `value`. */
const keyValues = <T>(value: z.ZodType<T>, example: string) =>
  z
    .string()
    .default('')
    .transform((text, ctx) => {
      const entries: Record<string, T> = {}
      for (const item of text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const [key, raw] = item.split('=').map((part) => part.trim())
        const parsed = value.safeParse(raw)
        if (!key || raw === undefined || !parsed.success) {
          ctx.addIssue({ code: 'custom', message: `"${item}" is not key=value like ${example}` })
          return z.NEVER
        }
        entries[key] = parsed.data
      }
      return entries
    })

/** `06:00-21:00` → minutes of the (Europe/Paris) day, end excluded; `00:00-24:00` is the whole day. */
const clockRange = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const match = text.trim().match(/^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/)
      const startMinute = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN
      const endMinute = match ? Number(match[3]) * 60 + Number(match[4]) : Number.NaN
      if (
        !match ||
        Number(match[2]) > 59 ||
        Number(match[4]) > 59 ||
        startMinute >= endMinute ||
        endMinute > 1440
      ) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a time-of-day range such as 06:00-21:00` })
        return z.NEVER
      }
      return { startMinute, endMinute }
    })

/** An absolute http(s) URL that a path can be appended to as is. */
function isBaseUrl(text: string): boolean {
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(text) || text.endsWith('/') || !URL.canParse(text))
    return false
  const url = new URL(text)
  return url.username === '' && url.password === ''
}

/** A duration that must not be 0 (Node reads 0 as "no limit"). */
const positive = z.number().min(1, 'must be longer than 0')

/** Most COLIS_SHARDS: a shard's ids are drawn by their last two characters, which reach this many. */
const MAX_SHARDS = 1024

/** A count of shards, or of what shares them out: 1 to MAX_SHARDS, its default worked out later. */
function optionalShardCount() {
  return z.coerce.number().int().min(1).max(MAX_SHARDS).optional()
}

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback)

/** Every setting colis reads from the environment: the only place that reads `process.env`. */
export const CONFIG_SCHEMA = z.object({
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .describe(
      '`production` turns on production safety checks (WEBHOOK_ALLOWED_CIDRS must be empty); the Docker image sets it',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino level; logs are JSON lines on stderr'),
  HOST: z
    .string()
    .default('127.0.0.1')
    .describe('address the HTTP server listens on (`0.0.0.0` in the Docker image)'),
  PORT: int(3000)
    .pipe(z.number().max(65535))
    .describe('HTTP port: the API, or /healthz and /readyz of a `worker` process; `0` picks a free port'),
  PUBLIC_BASE_URL: z
    .string()
    .refine(
      isBaseUrl,
      'an absolute http(s) URL without a trailing slash, query, fragment or credentials, such as https://track.example.com',
    )
    .optional()
    .describe(
      'the address shoppers reach colis at: tracking page links (`trackingPageUrl`) are `<PUBLIC_BASE_URL>/t/<token>`, and e-mails link to it (page, unsubscribe). An absolute http(s) URL, a path allowed (behind a reverse proxy), no trailing slash; unset: `http://localhost:<PORT>`, for a local try only',
    ),
  HTTP_HEADERS_TIMEOUT: duration('10s')
    .pipe(positive)
    .describe(
      'time a client has to send its request headers; then 408 problem+json and the connection is closed (slow clients hold no connection for long)',
    ),
  HTTP_REQUEST_TIMEOUT: duration('30s')
    .pipe(positive)
    .describe(
      'time a client has to send its whole request, body included (at least HTTP_HEADERS_TIMEOUT); then 408 problem+json and the connection is closed',
    ),
  HTTP_KEEP_ALIVE_TIMEOUT: duration('5s')
    .pipe(positive)
    .describe(
      'an idle keep-alive connection is closed after this; behind a load balancer that reuses connections, make it longer than its idle timeout',
    ),
  HTTP_MAX_CONNECTIONS: int(1000, 1).describe(
    'open HTTP connections per process; beyond it a new connection is closed unanswered (and logged once a minute)',
  ),
  COLIS_ROLE: z
    .enum(['all', 'api', 'worker'])
    .default('all')
    .describe(
      'what `colis serve` runs: `all` (API and workers in one process), `api` or `worker` (both need REDIS_URL); `--role` overrides it',
    ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a URL such as redis://127.0.0.1:6379 or rediss://user:pass@host:6380/0')
    .optional()
    .describe(
      '`redis://…` or `rediss://…` (TLS); unset with role `all`: COLIS_PROBE_REDIS, then a private redis-server (see Quick start)',
    ),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((text, ctx) => {
      const parsed = parseClusterSeeds(text)
      if ('error' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.error })
        return z.NEVER
      }
      return parsed.seeds
    })
    .optional()
    .describe(
      'seed nodes of a Redis Cluster, `host:port,host:port,…` (a seed may be `redis://user:pass@host:port`, or `rediss://…` for TLS: every node takes that password and TLS); colis spreads its data, BullMQ queues and pub/sub over it (see COLIS_SHARDS). Not with REDIS_URL',
    ),
  COLIS_PROBE_REDIS: z
    .string()
    .default('redis://127.0.0.1:6379')
    .describe('Redis tried when REDIS_URL is unset, before starting a private redis-server; `none` skips it'),
  COLIS_REDIS_PREFIX: z
    .string()
    .regex(/^[\w{}-]+$/, 'letters, digits, _, -, { and } only')
    .default('colis')
    .describe(
      'prefix of every Redis key, BullMQ queues included; with several COLIS_SHARDS it takes no braces (each shard makes its hash tag from it); with one shard on a Redis Cluster it must be a hash tag such as `{colis}`',
    ),
  COLIS_SHARDS: optionalShardCount().describe(
    'logical shards the trackings are spread over, each its own Redis Cluster hash tag; fixed at the first start and stored (a start with another value is refused); default 1 on one Redis, 64 with REDIS_CLUSTER_NODES',
  ),
  REDIS_WAIT_REPLICAS: int(0).describe(
    'replicas that must confirm a registration, and a save that carries notifications, before colis acknowledges it (Redis WAIT); 0 leaves replication asynchronous',
  ),
  REDIS_WAIT_TIMEOUT: duration('1s').describe(
    'how long a write waits for REDIS_WAIT_REPLICAS; past it the API answers 503 and a poll is retried (both are safe to repeat)',
  ),
  COLIS_DATA_DIR: z
    .string()
    .default('.colis')
    .describe('where the private redis-server keeps its data and append-only file (`<dir>/redis`)'),
  COLIS_SHUTDOWN_GRACE: duration('25s').describe(
    'on SIGTERM/SIGINT, how long in-flight polls and deliveries may take before colis exits anyway',
  ),

  COLIS_ADMIN_TOKEN: z
    .string()
    .min(32, 'at least 32 characters: make one with `openssl rand -base64 32`')
    .optional()
    .describe(
      'turns on the admin API (/admin/keys) and the queue dashboard (/admin/queues), for `Authorization: Bearer <token>` (a browser may give it as the Basic password, any user name); unset: every /admin path answers 404',
    ),
  COLIS_METRICS_TOKEN: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .describe(
      'when set, GET /metrics needs `Authorization: Bearer <token>`; unset: /metrics is open to whoever reaches the port',
    ),
  RATE_LIMIT: rate('600/1m').describe(
    'requests allowed per API key (`<count>/<duration>`, duration in whole seconds), counted in Redis so every API process shares it; beyond it: 429 with Retry-After',
  ),
  AUTH_FAILURE_LIMIT: rate('20/1m').describe(
    'wrong credentials (API key, admin or metrics token, tracking page token, order lookup that finds nothing, dashboard sign-in with a wrong key) presented per client address before that address is refused for AUTH_FAILURE_BLOCK; a request without any credential does not count',
  ),
  AUTH_FAILURE_BLOCK: duration('15m').describe(
    'how long a client address over AUTH_FAILURE_LIMIT gets 429 on every authenticated path, tracking page and order lookup, right key or token or not',
  ),
  TRUST_PROXY: z
    .enum(['on', 'off'])
    .default('off')
    .describe(
      '`on`: the client address (failed-authentication limit, logs) is the last one of X-Forwarded-For, as appended by your reverse proxy, and a last X-Forwarded-Proto of `https` marks the request as HTTPS (Secure dashboard cookies); `off`: the TCP peer address. Turn it on only behind such a proxy',
    ),
  DASHBOARD_SESSION_IDLE: duration('30m')
    .pipe(positive)
    .describe(
      'a merchant dashboard session ends after this long without a page view (the sign-in asks for the API key again)',
    ),
  DASHBOARD_SESSION_MAX: duration('8h')
    .pipe(positive)
    .describe('a merchant dashboard session ends this long after its sign-in, however active'),

  LAPOSTE_API_KEY: z
    .string()
    .optional()
    .describe('La Poste Okapi key (developer.laposte.fr); without it La Poste parcels are refused (422)'),
  LAPOSTE_BASE_URL: z
    .string()
    .url()
    .default('https://api.laposte.fr/suivi/v2')
    .describe('La Poste Suivi v2 endpoint'),
  LAPOSTE_LANG: z
    .enum(['fr_FR', 'en_GB', 'de_DE', 'es_ES', 'it_IT', 'nl_NL'])
    .default('fr_FR')
    .describe("language of La Poste's event wording"),
  LAPOSTE_RATE_LIMIT: rate('10/1s').describe(
    'La Poste requests per window (`max/duration`), shared by all worker processes',
  ),
  LAPOSTE_BATCH_SIZE: int(10, 1).pipe(z.number().max(10)).describe('parcels per La Poste request (1–10)'),
  LAPOSTE_TIMEOUT: duration('10s').describe('whole-request timeout of a La Poste call'),

  CHRONOPOST_BASE_URL: z
    .string()
    .url()
    .default('https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS')
    .describe('Chronopost tracking web service endpoint'),
  CHRONOPOST_LANGUAGE: z
    .enum(['fr_FR', 'en_GB', 'de_DE', 'es_ES', 'it_IT', 'nl_NL'])
    .default('fr_FR')
    .describe("language of Chronopost's event wording"),
  // Chronopost publishes no quota for trackSkybillV2: stay polite.
  CHRONOPOST_RATE_LIMIT: rate('5/1s').describe(
    'Chronopost requests per window (`max/duration`), shared by all worker processes',
  ),
  CHRONOPOST_TIMEOUT: duration('10s').describe('whole-request timeout of a Chronopost call'),

  MONDIALRELAY_ENSEIGNE: z
    .string()
    .regex(/^[\x21-\x7E]{1,8}$/, 'up to 8 printable ASCII characters, such as BDTEST13')
    .optional()
    .describe(
      'Mondial Relay merchant code ("code enseigne"); with MONDIALRELAY_PRIVATE_KEY, else Mondial Relay parcels are refused (422)',
    ),
  MONDIALRELAY_PRIVATE_KEY: z
    .string()
    .regex(/^[\x21-\x7E]+$/, 'printable ASCII characters')
    .optional()
    .describe('the private key of that merchant code: it signs every call and is never sent'),
  MONDIALRELAY_BASE_URL: z
    .string()
    .url()
    .default('https://api.mondialrelay.com/Web_Services.asmx')
    .describe('Mondial Relay API 1 SOAP endpoint (WSI2_TracingColisDetaille)'),
  // Mondial Relay publishes no quota and asks for restraint (no batch use): stay gentle.
  MONDIALRELAY_RATE_LIMIT: rate('2/1s').describe(
    'Mondial Relay requests per window (`max/duration`), shared by all worker processes',
  ),
  MONDIALRELAY_TIMEOUT: duration('10s').describe('whole-request timeout of a Mondial Relay call'),
  UPS_CLIENT_ID: z
    .string()
    .optional()
    .describe(
      'client id of a UPS developer app (developer.ups.com, Tracking API); with UPS_CLIENT_SECRET. Without them UPS parcels are refused (422)',
    ),
  UPS_CLIENT_SECRET: z.string().optional().describe('client secret of that UPS app'),
  UPS_BASE_URL: z
    .string()
    .url()
    .default('https://onlinetools.ups.com/api')
    .describe(
      "UPS API root, the Track API under `/track/v1` (`https://wwwcie.ups.com/api`: UPS's test environment)",
    ),
  UPS_TOKEN_URL: z
    .string()
    .url()
    .default('https://onlinetools.ups.com/security/v1/oauth/token')
    .describe('UPS OAuth 2.0 token endpoint (client credentials)'),
  UPS_LOCALE: z
    .string()
    .regex(/^[a-z]{2}_[A-Z]{2}$/, 'a locale such as fr_FR or en_US')
    .default('fr_FR')
    .describe("language of UPS's activity wording (`fr_FR`, `en_US`…)"),
  UPS_TRANSACTION_SRC: z
    .string()
    .regex(/^[\w.-]{1,32}$/, 'letters, digits, _, . and - (at most 32)')
    .default('colis')
    .describe('`transactionSrc` header of every Track API call: names the calling application to UPS'),
  UPS_CHECK_DIGIT: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      "`off` accepts 1Z numbers whose check digit fails, such as numbers of UPS's test environment (`1Z12345E0205271688`); keep `on` in production",
    ),
  // UPS publishes no quota for the Track API: stay polite.
  UPS_RATE_LIMIT: rate('5/1s').describe(
    'UPS requests per window (`max/duration`), shared by all worker processes',
  ),
  UPS_TIMEOUT: duration('10s').describe('whole-request timeout of a UPS call (token or tracking)'),
  RELAISCOLIS_ACTIVATION_KEY: z
    .string()
    .optional()
    .describe(
      'Relais Colis merchant activation key (your Relais Colis account, as for its shop plugins); without it Relais Colis parcels are refused (422)',
    ),
  RELAISCOLIS_BASE_URL: z
    .string()
    .url()
    .default('https://ws-modules.relaiscolis.com')
    .describe(
      'Relais Colis modules API root (`https://preprod-ws-modules.relaiscolis.com` is its test platform)',
    ),
  // Relais Colis publishes neither a quota nor a batch limit for getPackagesStatus: stay polite.
  RELAISCOLIS_RATE_LIMIT: rate('5/1s').describe(
    'Relais Colis requests per window (`max/duration`), shared by all worker processes',
  ),
  RELAISCOLIS_BATCH_SIZE: int(20, 1)
    .pipe(z.number().max(100))
    .describe('parcels per Relais Colis request (1–100)'),
  RELAISCOLIS_TIMEOUT: duration('10s').describe('whole-request timeout of a Relais Colis call'),

  DPD_FR_USER: z
    .string()
    .optional()
    .describe(
      'DPD France Webtrace_Service user id (contract customers, with DPD_FR_PASSWORD); unset: the public trace.dpd.fr page, best-effort',
    ),
  DPD_FR_PASSWORD: z.string().optional().describe('DPD France Webtrace_Service password (with DPD_FR_USER)'),
  DPD_FR_CUSTOMER: z
    .string()
    .regex(/^\d{1,9}\/\d{1,9}$/, 'is not a depot and customer number such as 123/456789')
    .transform((text) => {
      const [centerNumber, number] = text.split('/').map(Number)
      return { centerNumber: centerNumber ?? 0, number: number ?? 0 }
    })
    .optional()
    .describe(
      'DPD France depot and customer number (`123/456789`) sent in the Webtrace_Service `Customer` block, when DPD France asks for it',
    ),
  DPD_FR_BASE_URL: z
    .string()
    .url()
    .default('https://webtrace.dpd.fr/trace-service/Webtrace_Service.asmx')
    .describe('DPD France Webtrace_Service SOAP endpoint (used with DPD_FR_USER)'),
  DPD_FR_TRACE_URL: z
    .string()
    .url()
    .default('https://trace.dpd.fr')
    .describe('root of the public DPD France tracking page (used without DPD_FR_USER)'),
  // DPD France publishes no quota for either source; the public page sits behind Cloudflare.
  DPD_FR_RATE_LIMIT: rate('2/1s').describe(
    'DPD France requests per window (`max/duration`), shared by all worker processes',
  ),
  DPD_FR_TIMEOUT: duration('10s').describe('whole-request timeout of a DPD France call'),

  // GLS, DHL and Colis Privé are definition files in their folders (adapters/gls/, dhl/, colisprive/):
  // the base URL replaces the part of the definition's URL before its query.
  GLS_BASE_URL: z
    .string()
    .url()
    .default('https://gls-group.eu/app/service/open/rest/EU/en/rstt001')
    .describe(
      "GLS public tracking service (`rstt001`; the path's `EU/en` picks the English wording colis maps)",
    ),
  // GLS publishes no quota for its public service: stay polite.
  GLS_RATE_LIMIT: rate('2/1s').describe(
    'GLS requests per window (`max/duration`), shared by all worker processes',
  ),
  GLS_TIMEOUT: duration('10s').describe('whole-request timeout of a GLS call'),

  DHL_API_KEY: z
    .string()
    .optional()
    .describe(
      'DHL Shipment Tracking – Unified API key (developer.dhl.com, sent as `DHL-API-Key`); without it DHL parcels are refused (422)',
    ),
  DHL_BASE_URL: z
    .string()
    .url()
    .default('https://api-eu.dhl.com/track/shipments')
    .describe('DHL Shipment Tracking – Unified endpoint'),
  // A new DHL app's starter quota is 250 calls a day, to be spread over the day: one call per 6 minutes.
  DHL_RATE_LIMIT: rate('1/6m').describe(
    'DHL requests per window (`max/duration`), shared by all worker processes; raise it with your app’s quota',
  ),
  DHL_TIMEOUT: duration('10s').describe('whole-request timeout of a DHL call'),

  COLISPRIVE_BASE_URL: z
    .string()
    .url()
    .default('https://colisprive.com/moncolis/pages/DetailColis.aspx')
    .describe("Colis Privé's recipient tracking page"),
  // A heavy HTML page with no published limit: one request a second.
  COLISPRIVE_RATE_LIMIT: rate('1/1s').describe(
    'Colis Privé requests per window (`max/duration`), shared by all worker processes',
  ),
  COLISPRIVE_TIMEOUT: duration('10s').describe('whole-request timeout of a Colis Privé call'),

  COLIS_CARRIERS_FILE: z
    .string()
    .optional()
    .describe('JSON file of extra carriers described without code (generic adapter); reloaded on SIGHUP'),
  COLIS_CODE_OVERRIDES: z
    .string()
    .optional()
    .describe(
      'JSON file `{carrier: {code or "/wording pattern/": status}}` mapping carrier codes before the built-in tables; reloaded on SIGHUP',
    ),

  WEBHOOK_ALLOWED_CIDRS: z
    .string()
    .default('')
    .describe(
      'comma-separated CIDRs webhooks may reach although private or loopback; tests only, refused in production',
    ),
  WEBHOOK_TIMEOUT: duration('15s').describe('timeout of one webhook delivery attempt'),
  WEBHOOK_RETRY_FACTOR: z.coerce
    .number()
    .positive()
    .default(1)
    .describe('multiplies the retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); tests shrink it'),
  WEBHOOK_DISABLE_AFTER: duration('5d').describe(
    'an endpoint that fails every delivery for this long is disabled',
  ),
  WEBHOOK_CONCURRENCY: int(20, 1).describe(
    'webhook deliveries in flight per worker process: first attempts (outbox relay) and retries (delivery worker) each',
  ),
  OUTBOX_CLAIM_IDLE: duration('1m').describe(
    'a notification a relay took but did not finish for this long is taken over by another worker',
  ),
  SHARD_LEASE: duration('15s').describe(
    "with several COLIS_SHARDS: how long a worker process's hold on its shards lasts (renewed every third of it); a dead worker's shards go to the others within about this",
  ),

  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'a URL such as smtp://user:pass@mail.example.com:587 or smtps://…:465')
    .optional()
    .describe(
      '`smtp://…` (STARTTLS when the server offers it) or `smtps://…` (TLS): the server e-mails to shoppers go through; unset: e-mail notifications are refused (422 `email_not_configured`)',
    ),
  SMTP_FROM: z
    .string()
    .regex(/^[^\r\n]{3,200}$/, 'one line, such as "Ma Boutique <suivi@example.com>"')
    .optional()
    .describe(
      'the From of e-mails to shoppers, e.g. `Ma Boutique <suivi@example.com>` (required with SMTP_URL)',
    ),
  SMTP_DKIM_DOMAIN: z
    .string()
    .regex(/^[a-z0-9.-]+$/i, 'a domain name')
    .optional()
    .describe(
      'signs e-mails with DKIM for this domain (with SMTP_DKIM_SELECTOR and SMTP_DKIM_PRIVATE_KEY_FILE)',
    ),
  SMTP_DKIM_SELECTOR: z
    .string()
    .regex(/^[a-z0-9._-]+$/i, 'a DKIM selector')
    .optional()
    .describe('the DKIM selector whose public key is published in DNS (`<selector>._domainkey.<domain>`)'),
  SMTP_DKIM_PRIVATE_KEY_FILE: z
    .string()
    .optional()
    .describe('PEM file of the DKIM private key, read at startup'),
  SMTP_CONCURRENCY: int(10, 1).describe('e-mails sent at once per worker process'),
  SMTP_RETRY_FACTOR: z.coerce
    .number()
    .positive()
    .default(1)
    .describe(
      'multiplies the retry schedule of e-mails the server refused for now (4xx): 1 min, 5 min, 30 min, 2 h, 6 h; tests shrink it',
    ),
  NOTIFY_RETENTION: duration('30d').describe(
    "how long a parcel's e-mail subscriptions (addresses) and their delivery log are kept once the parcel reaches a terminal state",
  ),
  ANALYTICS_RETENTION: duration('400d').describe(
    'how long carrier analytics keep a week of finished parcels (counts and histograms per merchant, carrier, service, destination and handover week) after that week ends',
  ),
  FORECAST_HISTORY: z.coerce
    .number()
    .int()
    .min(1)
    .max(60)
    .default(26)
    .describe(
      "weeks of finished parcels (the current one included) the delivery forecasts learn from (API answers, webhooks, alerts), every merchant's together",
    ),
  FORECAST_REFRESH: duration('10m').describe(
    'how often each process (API and workers) reloads the delivery forecast model from the analytics; answers and polls use the model in memory, never a store read',
  ),

  ALERT_SWEEP_INTERVAL: duration('1m').describe(
    'how often the sweep checks alerts that open with time alone (late, stalled, pickup expiring)',
  ),
  ALERT_STALLED_BUSINESS_DAYS: keyValues(z.coerce.number().int().min(1), 'laposte=3,chronopost=2').describe(
    'per-carrier business days without a scan before a `stalled` alert, e.g. `laposte=3,chronopost=2` (default 3)',
  ),
  ALERT_PICKUP_HOLD_DAYS: keyValues(z.coerce.number().int().min(1), 'laposte=10,chronopost=7').describe(
    "per-carrier calendar days a pickup point keeps a parcel after its arrival day (the last collection day is the arrival date plus these), e.g. `laposte=10,chronopost=7` (default: the carrier's hold); `pickup_expiring` opens before that last day (`ALERT_PICKUP_NOTICE_DAYS`)",
  ),
  ALERT_PICKUP_NOTICE_DAYS: int(2, 0).describe(
    'calendar days of notice before the last collection day at a pickup point: `pickup_expiring` opens at 09:00 Europe/Paris that many days before it (never before the arrival)',
  ),
  COLIS_DELIVERY_DAY_KINDS: keyValues(
    z.enum(['ouvrables', 'ouvres']),
    'colissimo=ouvrables,chronopost=ouvres',
  ).describe(
    'per-carrier delivery days: `ouvrables` (Mon–Sat) or `ouvres` (Mon–Fri), e.g. `colissimo=ouvrables,chronopost=ouvres`',
  ),

  SANDBOX_TIME_SCALE: z.coerce
    .number()
    .positive()
    .default(3600)
    .describe("simulated seconds per real second of sandbox journeys (and of the sandbox's poll cadence)"),
  SANDBOX_RATE_LIMIT: rate('50/1s').describe('sandbox requests per window (`max/duration`)'),

  POLL_CONCURRENCY: int(50, 1).describe('poll jobs run at once per carrier, per worker process'),
  POLL_DISPATCH_INTERVAL: duration('1s').describe('how often each worker claims the parcels that are due'),
  POLL_QUEUE_LANES: optionalShardCount().describe(
    "poll queues per carrier, each with its share of the shards, of the carrier's rate limit and of POLL_CONCURRENCY, and on a Redis Cluster each in its own stretch of the slots: a carrier's queue work spreads over that many masters (on a cluster, set it to the number of masters); a carrier whose rate takes fewer requests a window polls through one; the same on every process; at most COLIS_SHARDS; default 1 on one Redis, 3 (a cluster's fewest masters, at most COLIS_SHARDS) on a Redis Cluster",
  ),
  POLL_LEASE: duration('10m').describe(
    'a claimed parcel whose poll has not finished after this long is handed out again',
  ),
  POLL_PENDING: durationRange('30m-12h').describe(
    'poll backoff while the carrier does not know the parcel yet (doubling from min to max)',
  ),
  POLL_INFO_RECEIVED: durationRange('3h-5h').describe(
    'poll cadence once the label is announced (`min-max`, jittered)',
  ),
  POLL_IN_TRANSIT: durationRange('2h-4h').describe('poll cadence in transit'),
  POLL_NEAR_DELIVERY: durationRange('15m-30m').describe(
    'poll cadence when out for delivery, after a failed attempt, or at a pickup point',
  ),
  POLL_EXCEPTION: durationRange('1h-2h').describe('poll cadence after an exception (customs, damage)'),
  POLL_RETRY: durationRange('1m-1h').describe(
    'poll backoff while the carrier fails (doubling from min to max)',
  ),
  POLL_EXPIRE_AFTER: duration('30d').describe(
    'no new event for this long: the tracking becomes `expired` and polling stops',
  ),
  POLL_STALLED_LOCK: duration('30s').describe(
    "BullMQ job lock: a dead worker's poll runs again after about this",
  ),
  POLL_CALENDAR: z
    .enum(['on', 'off'])
    .default('on')
    .describe(
      '`on`: poll real carriers on their working time (POLL_SCAN_*, POLL_ROUND_*); `off`: plain cadence at any hour',
    ),
  POLL_SCAN_HOURS: clockRange('06:00-21:00').describe(
    'Europe/Paris hours carriers scan in: a poll that would fall outside waits for the next start',
  ),
  POLL_SCAN_DAYS: z
    .enum(['ouvrables', 'ouvres', 'all'])
    .default('ouvrables')
    .describe('days carriers scan on (public holidays excluded); `all` turns the day rule off'),
  POLL_ROUND_HOURS: clockRange('07:00-10:00').describe(
    'Europe/Paris hours delivery rounds leave in: out-for-delivery scans happen then. The carrier budget of those hours goes to in-transit parcels that may leave today and to parcels out for delivery; the other stages poll after the round',
  ),
  POLL_IN_TRANSIT_ROUND: durationRange('20m-30m').describe(
    'in-transit cadence during POLL_ROUND_HOURS, to see a parcel leave for delivery soon; a parcel the carrier estimates for a later day is looked at once, early in the round, instead',
  ),

  // Standard variables, read for the CLI's human output only.
  LC_ALL: z
    .string()
    .optional()
    .describe('Locale; overrides LANG. `colis track` prints French when it starts with `fr`, else English'),
  LANG: z
    .string()
    .optional()
    .describe(
      'Locale: `colis track` prints French when it starts with `fr` (e.g. fr_FR.UTF-8), else English',
    ),
  NO_COLOR: z
    .string()
    .optional()
    .describe('Any non-empty value turns colours off in CLI output (https://no-color.org)'),
  FORCE_COLOR: z
    .string()
    .optional()
    .describe('Colours in CLI output even when stdout is not a terminal; `0` or `false` turns them off'),
})

/** The settings as read, with the defaults that depend on other settings filled in. */
export type Config = Omit<
  z.output<typeof CONFIG_SCHEMA>,
  'PUBLIC_BASE_URL' | 'COLIS_SHARDS' | 'POLL_QUEUE_LANES'
> & {
  PUBLIC_BASE_URL: string
  COLIS_SHARDS: number
  POLL_QUEUE_LANES: number
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const relevant = Object.fromEntries(
    Object.keys(CONFIG_SCHEMA.shape).flatMap((key) =>
      env[key] === undefined || env[key] === '' ? [] : [[key, env[key]]],
    ),
  )
  const parsed = CONFIG_SCHEMA.superRefine((config, ctx) => {
    if (config.HTTP_HEADERS_TIMEOUT > config.HTTP_REQUEST_TIMEOUT) {
      ctx.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT'],
        message: 'must not be longer than HTTP_REQUEST_TIMEOUT (the headers are part of the request)',
      })
    }
    if ((config.DPD_FR_USER === undefined) !== (config.DPD_FR_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.DPD_FR_USER === undefined ? 'DPD_FR_USER' : 'DPD_FR_PASSWORD'],
        message: 'DPD_FR_USER and DPD_FR_PASSWORD go together: set both, or neither for the public page',
      })
    }
    if (config.REDIS_URL !== undefined && config.REDIS_CLUSTER_NODES !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both',
      })
    }
    const shards = shardsOf(config)
    const bare = config.COLIS_REDIS_PREFIX.replace(/[{}]/g, '') || 'colis'
    if (shards > 1 && /[{}]/.test(config.COLIS_REDIS_PREFIX)) {
      ctx.addIssue({
        code: 'custom',
        path: ['COLIS_REDIS_PREFIX'],
        message: `must hold no braces with ${shards} shards: each shard tags its keys {${bare}:<shard>} itself (set ${bare}, or COLIS_SHARDS=1 to keep one slot)`,
      })
    }
    if (
      config.REDIS_CLUSTER_NODES !== undefined &&
      shards === 1 &&
      hashTagOf(config.COLIS_REDIS_PREFIX) === undefined
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['COLIS_REDIS_PREFIX'],
        message: `must be a hash tag such as {${bare}} with one shard on REDIS_CLUSTER_NODES: its scripts and queues need their keys in one slot`,
      })
    }
    if (config.POLL_QUEUE_LANES !== undefined && config.POLL_QUEUE_LANES > shards) {
      ctx.addIssue({
        code: 'custom',
        path: ['POLL_QUEUE_LANES'],
        message: `must not exceed COLIS_SHARDS (${shards}): each lane takes its share of the shards`,
      })
    }
    if (config.SMTP_URL !== undefined && config.SMTP_FROM === undefined) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'required with SMTP_URL' })
    }
    const dkim = [config.SMTP_DKIM_DOMAIN, config.SMTP_DKIM_SELECTOR, config.SMTP_DKIM_PRIVATE_KEY_FILE]
    if (dkim.some((value) => value !== undefined) && !dkim.every((value) => value !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_DKIM_DOMAIN'],
        message: 'SMTP_DKIM_DOMAIN, SMTP_DKIM_SELECTOR and SMTP_DKIM_PRIVATE_KEY_FILE go together',
      })
    }
    if (config.NODE_ENV === 'production' && config.WEBHOOK_ALLOWED_CIDRS.trim() !== '') {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBHOOK_ALLOWED_CIDRS'],
        message: 'must be empty in production: it lets webhooks reach internal addresses (tests only)',
      })
    }
  }).safeParse(relevant)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  const config = parsed.data
  return {
    ...config,
    PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`,
    COLIS_SHARDS: shardsOf(config),
    POLL_QUEUE_LANES: config.POLL_QUEUE_LANES ?? lanesByDefault(config),
  }
}

/** A Redis Cluster has three masters at least: one queue a carrier would keep its poll work on one. */
const DEFAULT_CLUSTER_LANES = 3

/** POLL_QUEUE_LANES' default: one on one Redis; on a Redis Cluster, one per master of the smallest. */
function lanesByDefault(
  config: Pick<z.output<typeof CONFIG_SCHEMA>, 'COLIS_SHARDS' | 'REDIS_CLUSTER_NODES'>,
) {
  return config.REDIS_CLUSTER_NODES === undefined ? 1 : Math.min(DEFAULT_CLUSTER_LANES, shardsOf(config))
}

/** COLIS_SHARDS, or its default: one on one Redis, 64 on a Redis Cluster. */
function shardsOf(config: Pick<z.output<typeof CONFIG_SCHEMA>, 'COLIS_SHARDS' | 'REDIS_CLUSTER_NODES'>) {
  return config.COLIS_SHARDS ?? (config.REDIS_CLUSTER_NODES === undefined ? 1 : DEFAULT_CLUSTER_SHARDS)
}

/** Several shards for each master of a small cluster (their spread over masters: docs/operations.md). */
const DEFAULT_CLUSTER_SHARDS = 64

/** PUBLIC_BASE_URL: where shoppers reach colis (its default is set when the config is loaded). */
export function publicBaseUrl(config: Pick<Config, 'PUBLIC_BASE_URL'>): string {
  return config.PUBLIC_BASE_URL
}

/**
 * Environment variables named by carrier definition files (`{"env": "ACME_TOKEN"}` headers), looked up
 * by name when a definition is loaded: secrets never sit in the definition file itself.
 */
export function readEnvironment(): Record<string, string | undefined> {
  return { ...process.env }
}
