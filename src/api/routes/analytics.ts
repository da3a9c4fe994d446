import { createRoute, z } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { formatCarrierReportCsv } from '../../carrier-report-csv.js'
import { reportOfGroups, reportWeekOf } from '../../domain/analytics/carrier-report.js'
import { GROUP_BY } from '../../domain/analytics/cell-summary.js'
import { reportWindowOf } from '../../domain/analytics/report-window.js'
import { ALL_MERCHANTS, type AnalyticsStore } from '../../store/analytics-store.js'
import type { AppDeps } from '../app-deps.js'
import { requireAdminToken } from '../middleware/admin-token.js'
import { API_KEY_PROBLEMS, ApiError, problemResponses } from '../problem.js'
import { createRouter } from '../router.js'
import { CarrierReportSchema } from './analytics-schema.js'

export const ANALYTICS_PATH = '/v1/analytics'
/** The operator's view: every merchant's cells, behind COLIS_ADMIN_TOKEN rather than an API key. */
export const OPERATOR_ANALYTICS_PATH = '/v1/admin/analytics'

/** Paths under `/v1` that take the admin token: the API-key middleware leaves them alone. */
export function isOperatorAnalyticsPath(path: string): boolean {
  return path === OPERATOR_ANALYTICS_PATH || path.startsWith(`${OPERATOR_ANALYTICS_PATH}/`)
}

function isReportBound(value: string): boolean {
  try {
    reportWeekOf(value)
    return true
  } catch {
    return false
  }
}

const reportBound = (description: string, example: string) =>
  z
    .string()
    .max(10)
    .refine(isReportBound, 'an ISO week (2026-W09) or a calendar date (2026-02-23)')
    .describe(description)
    .openapi({ example })

const ReportQuerySchema = z.object({
  from: reportBound(
    'First ISO week of the report, or a date standing for the week that holds it (inclusive); by default the twelve weeks that end with `to`',
    '2026-W01',
  ).optional(),
  to: reportBound(
    'Last ISO week, or a date standing for its week (inclusive); by default the current week, Paris time. A `to` before `from` gives an empty report',
    '2026-W12',
  ).optional(),
  groupBy: z
    .enum(GROUP_BY)
    .default('carrier')
    .describe(
      'One row per carrier, per carrier service (`carrier/service`), per destination (French département or country) or per ISO week',
    ),
  carrier: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,31}$/, 'a carrier id')
    .optional()
    .describe("Only this carrier's parcels")
    .openapi({ example: 'sandbox' }),
})

const CSV_TYPE = 'text/csv; charset=utf-8'

const reportResponse = {
  description:
    'The report; with `Accept: text/csv`, the same rows as CSV (a header, one record per group, the totals last, group `*`)',
  headers: z.object({
    'content-disposition': z
      .string()
      .optional()
      .describe('With CSV only: `attachment; filename="carriers-<from>-<to>.csv"`'),
  }),
  content: {
    'application/json': { schema: CarrierReportSchema },
    'text/csv': { schema: z.string().describe('RFC 4180, comma-separated, CRLF line breaks, no BOM') },
  },
}

const REPORT_DESCRIPTION =
  'Parcels counted once each when they finish (delivered, returned, expired), in the ISO week they were ' +
  'handed over to the carrier. Rates come with the number of parcels they are measured on, and are left ' +
  'out when there is none; times are percentiles read from fixed-bucket histograms (interpolated ' +
  'within a bucket, never beyond the smallest and largest value seen).'

const merchantReportRoute = createRoute({
  method: 'get',
  path: '/carriers',
  operationId: 'getCarrierReport',
  tags: ['Analytics'],
  summary: "Carrier scorecard of the merchant's finished parcels",
  description: REPORT_DESCRIPTION,
  request: { query: ReportQuerySchema },
  responses: {
    200: reportResponse,
    ...problemResponses(...API_KEY_PROBLEMS, 'validation_failed'),
  },
})

const operatorReportRoute = createRoute({
  method: 'get',
  path: '/carriers',
  operationId: 'getOperatorCarrierReport',
  tags: ['Analytics'],
  summary: "Carrier scorecard of every merchant's finished parcels (operator, admin token)",
  description: `${REPORT_DESCRIPTION} Every merchant's parcels together. Takes COLIS_ADMIN_TOKEN, not an API key.`,
  security: [{ adminToken: [] }],
  request: { query: ReportQuerySchema },
  responses: {
    200: reportResponse,
    ...problemResponses('admin_unauthorized', 'validation_failed', 'rate_limited', 'redis_unavailable'),
  },
})

type ReportQuery = z.output<typeof ReportQuerySchema>

/** CSV when the client accepts CSV and not JSON; JSON otherwise (no Accept header, any type, or both). */
function wantsCsv(accept: string | undefined): boolean {
  return /\btext\/csv\b/i.test(accept ?? '') && !/\bapplication\/json\b/i.test(accept ?? '')
}

async function answerReport(
  c: Context,
  store: AnalyticsStore,
  merchantId: string,
  query: ReportQuery,
  now: Date,
) {
  const { fromWeek, toWeek } = reportWindowOf(query, now.getTime())
  const report = reportOfGroups(
    await store.summariesByGroup(merchantId, {
      fromWeek,
      toWeek,
      groupBy: query.groupBy,
      carrier: query.carrier,
    }),
  )
  c.header('vary', 'Accept')
  if (wantsCsv(c.req.header('accept'))) {
    return c.body(formatCarrierReportCsv(report), 200, {
      'content-type': CSV_TYPE,
      'content-disposition': `attachment; filename="carriers-${fromWeek}-${toWeek}.csv"`,
    }) as unknown as ReturnType<typeof c.json>
  }
  return c.json({ from: fromWeek, to: toWeek, groupBy: query.groupBy, ...report }, 200)
}

/** `GET /v1/analytics/carriers`: the scorecard of the key's merchant's parcels only. */
export function analyticsRoutes(deps: Pick<AppDeps, 'analytics' | 'now'>) {
  return createRouter().openapi(merchantReportRoute, (c) =>
    answerReport(c, deps.analytics, c.get('merchantId'), c.req.valid('query'), deps.now?.() ?? new Date()),
  )
}

/** Without an admin token the operator's route is not there (as `/admin`). */
const absent: MiddlewareHandler = (c) => {
  throw new ApiError('route_not_found', `${c.req.method} ${c.req.path}`)
}

/** `GET /v1/admin/analytics/carriers`: every merchant's scorecard together, for the operator. */
export function operatorAnalyticsRoutes(deps: Pick<AppDeps, 'analytics' | 'admin' | 'now'>) {
  const router = createRouter()
  router.use('*', deps.admin ? requireAdminToken(deps.admin.token) : absent)
  return router.openapi(operatorReportRoute, (c) =>
    answerReport(c, deps.analytics, ALL_MERCHANTS, c.req.valid('query'), deps.now?.() ?? new Date()),
  )
}
