import { Hono } from 'hono'
import { z } from 'zod'
import { deliveryDayKindFor, promisedDate } from '../../domain/business-calendar.js'
import { ALERT_TYPES, nextAlertCheckAt } from '../../domain/delay-alerts.js'
import { normalizeTrackingNumber } from '../../domain/tracking-number.js'
import { TRACKING_STATUSES } from '../../domain/tracking-status.js'
import { toTrackingView } from '../../domain/tracking-view.js'
import { InvalidCursorError, type NewTracking } from '../../store/tracking-store.js'
import type { ApiEnv, AppDeps, CarrierCatalog, CarrierInfo } from '../app.js'
import { ApiError, problemResponse } from '../problem.js'
import { parseJsonBody, parseWith } from '../validation.js'

const METADATA_MAX_BYTES = 2048

export const RegisterTrackingSchema = z
  .object({
    trackingNumber: z.string().min(1).max(64),
    carrier: z.string().min(1).max(32).optional(),
    promisedDeliveryDate: z.iso.date().optional(),
    promise: z
      .object({
        shippedAt: z.iso.datetime({ offset: true }).or(z.iso.date()),
        businessDays: z.number().int().min(0).max(60),
        dayKind: z.enum(['ouvrables', 'ouvres']).optional(),
      })
      .strict()
      .optional(),
    destinationPostalCode: z
      .string()
      .regex(/^[0-9A-Za-z][0-9A-Za-z -]{1,9}$/, 'a postal code such as 75011')
      .optional(),
    orderId: z.string().min(1).max(128).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((value) => Buffer.byteLength(JSON.stringify(value)) <= METADATA_MAX_BYTES, {
        message: `metadata must be at most ${METADATA_MAX_BYTES} bytes of JSON`,
      })
      .optional(),
  })
  .strict()
  .refine((input) => !(input.promise && input.promisedDeliveryDate), {
    message: 'give promisedDeliveryDate or promise, not both',
    path: ['promise'],
  })

export const BATCH_MAX_ITEMS = 1000

/** Items are checked one by one (each gets its own answer); only the envelope is checked here. */
const RegisterBatchSchema = z.object({ trackings: z.array(z.unknown()).min(1).max(BATCH_MAX_ITEMS) }).strict()

const ListQuerySchema = z.object({
  status: z.enum(TRACKING_STATUSES).optional(),
  alert: z.enum(ALERT_TYPES).optional(),
  carrier: z.string().max(32).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})

/**
 * The carrier named in the request, or the one detection clearly picks from the number. Detection
 * never guesses: several close candidates, or none, is a 422 that lists what it found.
 */
function resolveCarrier(
  carriers: CarrierCatalog,
  requested: string | undefined,
  trackingNumber: string,
): CarrierInfo {
  if (requested !== undefined) {
    const carrier = carriers.get(requested)
    if (!carrier) {
      throw new ApiError('unknown_carrier', `no carrier "${requested}" on this deployment`, {
        carriers: carriers.list().map((known) => known.id),
      })
    }
    return carrier
  }
  const detection = carriers.detect(trackingNumber)
  const winner = detection.winner ? carriers.get(detection.winner) : undefined
  if (winner) return winner
  if (detection.candidates.length > 0) {
    throw new ApiError(
      'ambiguous_carrier',
      'several carriers could track this number: say which with `carrier`',
      {
        candidates: detection.candidates,
      },
    )
  }
  throw new ApiError(
    'unknown_tracking_number_format',
    detection.problems[0] ?? 'no carrier of this deployment recognises this number; say which with `carrier`',
    { problems: detection.problems },
  )
}

/** What registering one parcel stores, or the ApiError the single call answers with. */
function prepareRegistration(
  deps: AppDeps,
  input: z.output<typeof RegisterTrackingSchema>,
  merchantId: string,
  at: Date,
): { registration: NewTracking; nextAlertCheckAtMs?: number } {
  const carrier = resolveCarrier(deps.carriers, input.carrier, input.trackingNumber)
  if (!carrier.configured) {
    throw new ApiError('carrier_not_configured', `${carrier.name} needs credentials this deployment lacks`)
  }
  const check = carrier.checkNumber(normalizeTrackingNumber(input.trackingNumber))
  if (!check.ok) throw new ApiError('invalid_tracking_number', check.reason)
  const trackingNumber = check.trackingNumber
  const promisedDeliveryDate = input.promise
    ? promisedDate(
        { ...input.promise, dayKind: input.promise.dayKind ?? deliveryDayKindFor(carrier.id) },
        input.destinationPostalCode,
      )
    : input.promisedDeliveryDate
  const registration = {
    ...input,
    merchantId,
    carrier: carrier.id,
    trackingNumber,
    promisedDeliveryDate,
  }
  // A promise makes the parcel late at the end of its day even if no event ever comes: index that time.
  const draft = {
    ...registration,
    id: '',
    status: 'pending' as const,
    createdAt: at.toISOString(),
    updatedAt: '',
    lastNewEventAt: at.toISOString(),
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
  }
  const nextAlertCheckAtMs = nextAlertCheckAt({
    record: draft,
    events: [],
    nowMs: at.getTime(),
    policy: deps.alertPolicy(draft),
  })
  return { registration, nextAlertCheckAtMs }
}

interface BatchResult {
  status: number
  body: unknown
}

export function trackingRoutes(deps: AppDeps) {
  const now = deps.now ?? (() => new Date())

  return new Hono<ApiEnv>()
    .post('/', async (c) => {
      const input = await parseJsonBody(c, RegisterTrackingSchema)
      const at = now()
      const { registration, nextAlertCheckAtMs } = prepareRegistration(deps, input, c.get('merchantId'), at)
      const { record, events, created } = await deps.store.register(registration, at, { nextAlertCheckAtMs })
      c.header('location', `/v1/trackings/${record.id}`)
      return c.json(toTrackingView(record, events), created ? 201 : 200)
    })
    .post('/batch', async (c) => {
      const { trackings } = await parseJsonBody(c, RegisterBatchSchema)
      const merchantId = c.get('merchantId')
      const at = now()
      // Each item is checked as the single call checks it; its problem is its own answer.
      const results: BatchResult[] = new Array(trackings.length)
      const accepted: Array<{ index: number; input: NewTracking; nextAlertCheckAtMs?: number }> = []
      for (const [index, item] of trackings.entries()) {
        try {
          const input = parseWith(RegisterTrackingSchema, item)
          const { registration, nextAlertCheckAtMs } = prepareRegistration(deps, input, merchantId, at)
          accepted.push({ index, input: registration, nextAlertCheckAtMs })
        } catch (error) {
          if (!(error instanceof ApiError)) throw error
          const problem = problemResponse(c, error)
          results[index] = { status: problem.status, body: await problem.json() }
        }
      }
      const registered = await deps.store.registerMany(accepted, at)
      registered.forEach(({ record, events, created }, position) => {
        const index = (accepted[position] as (typeof accepted)[number]).index
        results[index] = { status: created ? 201 : 200, body: toTrackingView(record, events) }
      })
      return c.json({ results })
    })
    .get('/', async (c) => {
      const query = parseWith(ListQuerySchema, c.req.query())
      try {
        const page = await deps.store.list(c.get('merchantId'), query)
        return c.json({
          data: page.data.map((record) => toTrackingView(record)),
          nextCursor: page.nextCursor ?? null,
        })
      } catch (error) {
        if (error instanceof InvalidCursorError) throw new ApiError('invalid_cursor', error.message)
        throw error
      }
    })
    .get('/:id', async (c) => {
      const found = await deps.store.get(c.get('merchantId'), c.req.param('id'))
      if (!found) throw new ApiError('not_found', 'no such tracking')
      const nextDue = await deps.store.nextDueAt(found.record.carrier, found.record.id)
      return c.json(toTrackingView(found.record, found.events, nextDue))
    })
    .delete('/:id', async (c) => {
      const deleted = await deps.store.delete(c.get('merchantId'), c.req.param('id'))
      if (!deleted) throw new ApiError('not_found', 'no such tracking')
      return c.body(null, 204)
    })
    .post('/:id/refresh', async (c) => {
      const outcome = await deps.store.requestRefresh(c.get('merchantId'), c.req.param('id'), now().getTime())
      if (!outcome) throw new ApiError('not_found', 'no such tracking')
      return c.json({ id: c.req.param('id'), refresh: outcome }, 202)
    })
}
