import { createRoute, z } from '@hono/zod-openapi'
import { parisDateOf } from '../../domain/business-calendar.js'
import { ALERT_TYPES } from '../../domain/delay-alerts.js'
import { deliveryForecastOf, handoverOfEvents, mayForecast } from '../../domain/forecast/tracking-forecast.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import { TRACKING_STATUSES } from '../../domain/tracking-status.js'
import type { TrackingViewOptions } from '../../domain/tracking-view.js'
import { InvalidCursorError, type NewTracking } from '../../store/tracking-store.js'
import {
  type ApiTrackingView,
  apiTrackingViewJson,
  toApiTrackingView,
  viewOptionsFor,
} from '../api-tracking-view.js'
import type { AppDeps } from '../app-deps.js'
import { subscribeByEmail } from '../email-subscription.js'
import { TrackingId } from '../path-params.js'
import {
  API_KEY_PROBLEMS,
  ApiError,
  type Problem,
  ProblemSchema,
  problemResponses,
  toProblem,
} from '../problem.js'
import { createRouter, jsonBody, jsonResponse } from '../router.js'
import { trackingPageUrl } from '../tracking-page/page-url.js'
import {
  prepareRegistration,
  prepareRegistrationItem,
  RegisterTrackingSchema,
} from '../tracking-registration.js'
import { TrackingSchema } from '../tracking-view-schema.js'
import { requireJsonBody } from '../validation.js'

export { RegisterTrackingSchema }

export const BATCH_MAX_ITEMS = 1000

const RegisterTrackingBody = RegisterTrackingSchema.openapi('RegisterTracking', {
  example: { trackingNumber: '6A15602676300', carrier: 'laposte', orderId: 'A-1042' },
})

/** Items are checked one by one (each gets its own answer); only the envelope is checked here. */
const RegisterBatchSchema = z
  .object({
    trackings: z
      .array(z.unknown())
      .min(1)
      .max(BATCH_MAX_ITEMS)
      .openapi({ items: { $ref: '#/components/schemas/RegisterTracking' } }),
  })
  .strict()

const BatchResultSchema = z
  .union([
    z.object({ status: z.union([z.literal(200), z.literal(201)]), body: TrackingSchema }),
    z.object({ status: z.number().int().min(400).max(599), body: ProblemSchema }),
  ])
  .openapi('BatchResult')

const ListQuerySchema = z.object({
  status: z.enum(TRACKING_STATUSES).optional(),
  alert: z.enum(ALERT_TYPES).optional().describe('Only parcels with this alert open'),
  carrier: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('`nextCursor` of the previous page'),
})

const TrackingLocation = z.object({
  location: z.string().openapi({ example: '/v1/trackings/trk_7Hc2pQx9LmA4zR8tVb1N' }),
})

const TrackingParams = z.object({ id: TrackingId })

const BODY_PROBLEMS = [
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
] as const
const REGISTRATION_PROBLEMS = [
  'invalid_tracking_number',
  'unknown_carrier',
  'carrier_not_configured',
  'destination_postal_code_required',
  'ambiguous_carrier',
  'unknown_tracking_number_format',
] as const

const TAGS = ['Trackings']

const registerRoute = createRoute({
  method: 'post',
  path: '/',
  operationId: 'registerTracking',
  tags: TAGS,
  summary: 'Register a parcel',
  description:
    'The same carrier and number again answers 200 with the existing tracking. Numbers are normalized ' +
    "(upper case, no spaces or dashes) and checked against the carrier's formats and check digits.",
  middleware: [requireJsonBody] as const,
  request: { body: jsonBody(RegisterTrackingBody) },
  responses: {
    200: {
      ...jsonResponse(TrackingSchema, 'Already registered: the existing tracking'),
      headers: TrackingLocation,
    },
    201: { ...jsonResponse(TrackingSchema, 'Registered'), headers: TrackingLocation },
    ...problemResponses(
      ...API_KEY_PROBLEMS,
      ...BODY_PROBLEMS,
      ...REGISTRATION_PROBLEMS,
      'email_not_configured',
      'too_many_notifications',
    ),
  },
})

const batchRoute = createRoute({
  method: 'post',
  path: '/batch',
  operationId: 'registerTrackings',
  tags: TAGS,
  summary: 'Register up to 1000 parcels',
  description:
    'Each item is checked as `POST /v1/trackings` checks it and gets its own answer, at its index in ' +
    '`results`: the tracking (201 or 200) or the problem the single call would give. A bad item never ' +
    'costs the others. Bodies up to 1 MiB.',
  middleware: [requireJsonBody] as const,
  request: { body: jsonBody(RegisterBatchSchema) },
  responses: {
    200: jsonResponse(z.object({ results: z.array(BatchResultSchema) }), 'One result per item, in order'),
    ...problemResponses(...API_KEY_PROBLEMS, ...BODY_PROBLEMS),
  },
})

const listRoute = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listTrackings',
  tags: TAGS,
  summary: 'List trackings, newest first',
  request: { query: ListQuerySchema },
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(TrackingSchema), nextCursor: z.string().nullable() }),
      'A page; items leave out `events`',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'validation_failed', 'invalid_cursor'),
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  operationId: 'getTracking',
  tags: TAGS,
  summary: 'Get a tracking with its events',
  request: { params: TrackingParams },
  responses: {
    200: jsonResponse(TrackingSchema, 'The tracking, events oldest first'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  operationId: 'deleteTracking',
  tags: TAGS,
  summary: 'Delete a tracking; polling stops',
  request: { params: TrackingParams },
  responses: {
    204: { description: 'Deleted' },
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const refreshRoute = createRoute({
  method: 'post',
  path: '/{id}/refresh',
  operationId: 'refreshTracking',
  tags: TAGS,
  summary: 'Poll the carrier now',
  description:
    'Never adds a second pending poll. `running`: a poll is under way, and another follows it at once.',
  request: { params: TrackingParams },
  responses: {
    202: jsonResponse(
      z.object({ id: z.string(), refresh: z.enum(['queued', 'due', 'running']) }),
      'Refresh asked',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const pageTokenRoute = createRoute({
  method: 'post',
  path: '/{id}/page-token',
  operationId: 'rotateTrackingPageToken',
  tags: TAGS,
  summary: 'Give the tracking page a new URL',
  description:
    'The tracking gets a new `trackingPageUrl`; the old one answers 404 from now on (a link that reached ' +
    'the wrong person, say).',
  request: { params: TrackingParams },
  responses: {
    200: jsonResponse(
      z.object({
        trackingPageUrl: z
          .url()
          .openapi({ example: 'https://track.example.com/t/q3XLm0Wvv8Y2Ue_Ol-9b1A' })
          .describe('The new URL of the tracking page'),
      }),
      'The new URL',
    ),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

type BatchResult = z.output<typeof BatchResultSchema>

export function trackingRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())
  const { publicBaseUrl } = deps
  // A tracking's forecast moves with its record, the model and the day only: it is kept per record
  // object (the store's read cache hands out the same one while the tracking does not change).
  const forecasts = new WeakMap<
    TrackingRecord,
    { model: object; day: string; handedOverAt?: string; forecast: ReturnType<typeof deliveryForecastOf> }
  >()
  const forecastOf = (record: TrackingRecord, handedOverAt: string | undefined) => {
    const model = deps.forecasts?.model()
    if (!model) return undefined
    const nowMs = now().getTime()
    const day = parisDateOf(nowMs)
    const last = forecasts.get(record)
    if (last && last.model === model && last.day === day && last.handedOverAt === handedOverAt)
      return last.forecast
    const dayKind = deps.alertPolicy(record).dayKind
    const forecast = deliveryForecastOf(record, handedOverAt, { model, dayKind, nowMs })
    forecasts.set(record, { model, day, handedOverAt, forecast })
    return forecast
  }
  const wantsForecast = (record: TrackingRecord) =>
    deps.forecasts?.model() !== undefined && mayForecast(record)
  const viewOf = (
    record: TrackingRecord,
    events?: Parameters<typeof toApiTrackingView>[2],
    options: TrackingViewOptions = {},
    handedOverAt = events && wantsForecast(record) ? handoverOfEvents(events) : undefined,
  ) => {
    const deliveryForecast = forecastOf(record, handedOverAt)
    return toApiTrackingView(record, publicBaseUrl, events, undefined, options, { deliveryForecast })
  }
  // A page lists records without their timelines: those a forecast may concern are read together, in
  // one store call, for their handover; the rest cost nothing.
  const handoversOf = async (records: readonly TrackingRecord[]) => {
    const wanted = records.filter(wantsForecast)
    if (wanted.length === 0) return records.map(() => undefined)
    const views = await deps.store.loadForPoll(wanted.map((record) => record.id))
    const handovers = new Map<string, string | undefined>()
    for (const view of views) if (view) handovers.set(view.record.id, handoverOfEvents(view.events))
    return records.map((record) => handovers.get(record.id))
  }
  const optionsFor = (merchantId: string, records: readonly TrackingRecord[]) =>
    viewOptionsFor(deps.merchantSettings, merchantId, records)
  // The store hands out the same record object while a tracking's version stays the same (its read
  // cache), so the body rendered for it is kept with it until the next poll time or the forecast moves.
  const rendered = new WeakMap<
    TrackingRecord,
    {
      eventsJson: string
      nextDueAtMs?: number
      withdrawalDays?: number
      handedOverAt?: string
      forecastJson?: string
      body: string
    }
  >()
  const renderView = (
    record: TrackingRecord,
    eventsJson: string,
    nextDueAtMs: number | undefined,
    options: TrackingViewOptions,
  ) => {
    const last = rendered.get(record)
    const { withdrawalDays } = options
    const sameTimeline = last !== undefined && last.eventsJson === eventsJson
    const handedOverAt = !wantsForecast(record)
      ? undefined
      : sameTimeline
        ? last.handedOverAt
        : handoverOfEvents(JSON.parse(eventsJson) as TrackingEvent[])
    const deliveryForecast = forecastOf(record, handedOverAt)
    const forecastJson = deliveryForecast && JSON.stringify(deliveryForecast)
    if (
      sameTimeline &&
      last.nextDueAtMs === nextDueAtMs &&
      last.withdrawalDays === withdrawalDays &&
      last.forecastJson === forecastJson
    )
      return last.body
    const body = apiTrackingViewJson(record, publicBaseUrl, eventsJson, nextDueAtMs, options, {
      deliveryForecast,
    })
    rendered.set(record, { eventsJson, nextDueAtMs, withdrawalDays, handedOverAt, forecastJson, body })
    return body
  }

  return createRouter()
    .openapi(registerRoute, async (c) => {
      const input = c.req.valid('json')
      const at = now()
      const { registration, nextAlertCheckAtMs, notifyEmail } = prepareRegistration(
        deps,
        input,
        c.get('merchantId'),
        at,
      )
      const { record, events, created } = await deps.store.register(registration, at, { nextAlertCheckAtMs })
      if (notifyEmail !== undefined)
        await subscribeByEmail(deps, record, { to: notifyEmail }, at, { reuse: true })
      c.header('location', `/v1/trackings/${record.id}`)
      const options = await optionsFor(record.merchantId, [record])
      return c.json(viewOf(record, events, options), created ? 201 : 200)
    })
    .openapi(batchRoute, async (c) => {
      const { trackings } = c.req.valid('json')
      const merchantId = c.get('merchantId')
      const at = now()
      // Each item is checked as the single call checks it; its problem is its own answer, and so is a
      // bug its checks run into: one item never costs the others.
      const results: BatchResult[] = new Array(trackings.length)
      const accepted: Array<{
        index: number
        input: NewTracking
        nextAlertCheckAtMs?: number
        notifyEmail?: string
      }> = []
      for (const [index, item] of trackings.entries()) {
        try {
          const { registration, nextAlertCheckAtMs, notifyEmail } = prepareRegistrationItem(
            deps,
            item,
            merchantId,
            at,
          )
          accepted.push({ index, input: registration, nextAlertCheckAtMs, notifyEmail })
        } catch (error) {
          if (!(error instanceof ApiError)) {
            deps.logger.error({ err: error, requestId: c.get('requestId'), item: index }, 'batch item failed')
          }
          const problem: Problem = toProblem(c, error instanceof ApiError ? error : new ApiError('internal'))
          results[index] = { status: problem.status, body: problem }
        }
      }
      const registered = await deps.store.registerMany(accepted, at)
      const options = await optionsFor(
        merchantId,
        registered.map(({ record }) => record),
      )
      for (const [position, { record, events, created }] of registered.entries()) {
        const { index, notifyEmail } = accepted[position] as (typeof accepted)[number]
        results[index] = { status: created ? 201 : 200, body: viewOf(record, events, options) }
        if (notifyEmail === undefined) continue
        try {
          await subscribeByEmail(deps, record, { to: notifyEmail }, at, { reuse: true })
        } catch (error) {
          if (!(error instanceof ApiError)) throw error
          const problem = toProblem(c, error)
          results[index] = { status: problem.status, body: problem }
        }
      }
      return c.json({ results }, 200)
    })
    .openapi(listRoute, async (c) => {
      const query = c.req.valid('query')
      try {
        const page = await deps.store.list(c.get('merchantId'), query)
        const options = await optionsFor(c.get('merchantId'), page.data)
        const handovers = await handoversOf(page.data)
        return c.json(
          {
            data: page.data.map((record, index) => viewOf(record, undefined, options, handovers[index])),
            nextCursor: page.nextCursor ?? null,
          },
          200,
        )
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError('invalid_cursor', error.message)
        throw error
      }
    })
    .openapi(getRoute, async (c) => {
      const found = await deps.store.read(c.get('merchantId'), c.req.valid('param').id)
      if (!found) throw new ApiError('not_found', 'no such tracking')
      const options = await optionsFor(found.record.merchantId, [found.record])
      const body = renderView(found.record, found.eventsJson, found.nextDueAtMs, options)
      // The body is `c.json`'s, built from the stored timeline text (see trackingViewJson).
      return c.body(body, 200, { 'content-type': 'application/json' }) as unknown as ReturnType<
        typeof c.json<ApiTrackingView, 200>
      >
    })
    .openapi(deleteRoute, async (c) => {
      const deleted = await deps.store.delete(c.get('merchantId'), c.req.valid('param').id)
      if (!deleted) throw new ApiError('not_found', 'no such tracking')
      return c.body(null, 204)
    })
    .openapi(refreshRoute, async (c) => {
      const { id } = c.req.valid('param')
      const outcome = await deps.store.requestRefresh(c.get('merchantId'), id, now().getTime())
      if (!outcome) throw new ApiError('not_found', 'no such tracking')
      return c.json({ id, refresh: outcome }, 202)
    })
    .openapi(pageTokenRoute, async (c) => {
      const token = await deps.store.rotatePageToken(c.get('merchantId'), c.req.valid('param').id)
      if (!token) throw new ApiError('not_found', 'no such tracking')
      return c.json({ trackingPageUrl: trackingPageUrl(publicBaseUrl, token) }, 200)
    })
}
