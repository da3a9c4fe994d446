import { z } from 'zod'
import { type DurationRange, parseDurationMs, parseDurationRange } from './duration.js'

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

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback)

/** Every setting colis reads from the environment: the only place that reads `process.env`. */
export const CONFIG_SCHEMA = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(3000).pipe(z.number().max(65535)),
  COLIS_ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'a URL such as redis://127.0.0.1:6379 or rediss://user:pass@host:6380/0')
    .optional(),
  /** Tried when REDIS_URL is unset, before starting a private redis-server; `none` skips it. */
  COLIS_PROBE_REDIS: z.string().default('redis://127.0.0.1:6379'),
  COLIS_REDIS_PREFIX: z
    .string()
    .regex(/^[\w{}-]+$/, 'letters, digits, _, -, { and } only')
    .default('colis'),
  COLIS_DATA_DIR: z.string().default('.colis'),
  COLIS_SHUTDOWN_GRACE: duration('25s'),

  LAPOSTE_API_KEY: z.string().optional(),
  LAPOSTE_BASE_URL: z.string().url().default('https://api.laposte.fr/suivi/v2'),
  LAPOSTE_LANG: z.enum(['fr_FR', 'en_GB', 'de_DE', 'es_ES', 'it_IT', 'nl_NL']).default('fr_FR'),
  LAPOSTE_RATE_LIMIT: rate('10/1s'),
  LAPOSTE_BATCH_SIZE: int(10, 1).pipe(z.number().max(10)),
  LAPOSTE_TIMEOUT: duration('10s'),

  CHRONOPOST_BASE_URL: z.string().url().default('https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS'),
  CHRONOPOST_LANGUAGE: z.enum(['fr_FR', 'en_GB', 'de_DE', 'es_ES', 'it_IT', 'nl_NL']).default('fr_FR'),
  // Chronopost publishes no quota for trackSkybillV2: stay polite.
  CHRONOPOST_RATE_LIMIT: rate('5/1s'),
  CHRONOPOST_TIMEOUT: duration('10s'),

  /** JSON file of extra carriers described without code (generic adapter); reloaded on SIGHUP. */
  COLIS_CARRIERS_FILE: z.string().optional(),

  /** CIDRs webhooks may reach although private or loopback (tests only; refused in production). */
  WEBHOOK_ALLOWED_CIDRS: z.string().default(''),
  WEBHOOK_TIMEOUT: duration('15s'),
  /** Multiplies the retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); tests shrink it. */
  WEBHOOK_RETRY_FACTOR: z.coerce.number().positive().default(1),
  WEBHOOK_DISABLE_AFTER: duration('5d'),
  WEBHOOK_CONCURRENCY: int(20, 1),
  /** An outbox entry a relay took but did not finish for this long is taken over by another. */
  OUTBOX_CLAIM_IDLE: duration('1m'),

  ALERT_SWEEP_INTERVAL: duration('1m'),
  ALERT_STALLED_BUSINESS_DAYS: keyValues(z.coerce.number().int().min(1), 'laposte=3,chronopost=2'),
  ALERT_PICKUP_EXPIRING_DAYS: keyValues(z.coerce.number().int().min(1), 'laposte=10,chronopost=7'),
  COLIS_DELIVERY_DAY_KINDS: keyValues(
    z.enum(['ouvrables', 'ouvres']),
    'colissimo=ouvrables,chronopost=ouvres',
  ),

  SANDBOX_TIME_SCALE: z.coerce.number().positive().default(3600),
  SANDBOX_RATE_LIMIT: rate('50/1s'),

  POLL_CONCURRENCY: int(50, 1),
  POLL_DISPATCH_INTERVAL: duration('1s'),
  POLL_LEASE: duration('10m'),
  POLL_PENDING: durationRange('30m-12h'),
  POLL_INFO_RECEIVED: durationRange('3h-5h'),
  POLL_IN_TRANSIT: durationRange('2h-4h'),
  POLL_NEAR_DELIVERY: durationRange('15m-30m'),
  POLL_EXCEPTION: durationRange('1h-2h'),
  POLL_RETRY: durationRange('1m-1h'),
  POLL_EXPIRE_AFTER: duration('30d'),
  POLL_STALLED_LOCK: duration('30s'),
  /** Europe/Paris hours carriers scan in: a poll that would fall outside them waits for the next start. */
  /** Follow carriers' working hours (POLL_SCAN_*, POLL_ROUND_*) when scheduling polls; `off`: plain cadence. */
  POLL_CALENDAR: z.enum(['on', 'off']).default('on'),
  POLL_SCAN_HOURS: clockRange('06:00-21:00'),
  /** Days carriers scan on (public holidays excluded); `all` turns the day rule off. */
  POLL_SCAN_DAYS: z.enum(['ouvrables', 'ouvres', 'all']).default('ouvrables'),
  /** Europe/Paris hours delivery rounds leave in: out_for_delivery scans happen then. */
  POLL_ROUND_HOURS: clockRange('07:00-10:00'),
  /** in_transit cadence during POLL_ROUND_HOURS, to see a parcel leave for delivery soon. */
  POLL_IN_TRANSIT_ROUND: durationRange('45m-75m'),
})

export type Config = z.output<typeof CONFIG_SCHEMA>

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
  return parsed.data
}

/**
 * Environment variables named by carrier definition files (`{"env": "ACME_TOKEN"}` headers), looked up
 * by name when a definition is loaded: secrets never sit in the definition file itself.
 */
export function readEnvironment(): Record<string, string | undefined> {
  return { ...process.env }
}
