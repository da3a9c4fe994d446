import { createRoute, z } from '@hono/zod-openapi'
import type { MiddlewareHandler } from 'hono'
import { EVENT_STATUSES } from '../../domain/tracking-status.js'
import type { AppDeps } from '../app-deps.js'
import { requireAdminToken } from '../middleware/admin-token.js'
import { ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonResponse } from '../router.js'

/**
 * `GET /v1/carriers/{id}/unknown-codes` is an operator's, like `/admin`: it takes COLIS_ADMIN_TOKEN, not
 * an API key (the codes are the deployment's, every merchant's parcels together). It sits under
 * `/v1/carriers` beside the carrier it is about; the API-key middleware leaves this one path alone.
 */
export function isUnknownCodesPath(path: string): boolean {
  return /^\/v1\/carriers\/[^/]+\/unknown-codes$/.test(path)
}

const CarrierIdParam = z.object({
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,31}$/, 'no such carrier')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'sandbox' }),
})

const UnknownCodeSchema = z
  .object({
    code: z.string().openapi({ example: 'SBX_XFER' }),
    wordings: z
      .array(z.string())
      .describe('The first wordings seen with it (at most 3)')
      .openapi({ example: ['Transfert inter-sites'] }),
    count: z
      .number()
      .int()
      .describe('Events seen with it, over every poll (a parcel polled twice counts twice)'),
    firstSeen: z.string().openapi({ example: '2026-11-20T08:14:03.120Z' }),
    lastSeen: z.string().openapi({ example: '2026-11-22T17:40:51.004Z' }),
    override: z
      .enum(EVENT_STATUSES)
      .optional()
      .describe(
        'The status COLIS_CODE_OVERRIDES gives it now (its own rule, else a pattern on its wordings)',
      ),
  })
  .openapi('UnknownCarrierCode')

const listUnknownCodesRoute = createRoute({
  method: 'get',
  path: '/{id}/unknown-codes',
  operationId: 'listUnknownCarrierCodes',
  tags: ['Carriers'],
  summary: "Codes the carrier's table lacks (operator, admin token)",
  description:
    'Each code polls met that colis does not map, last seen first: its first wordings, how often, when ' +
    'first and last seen (a code not seen for 30 days is forgotten). Takes COLIS_ADMIN_TOKEN, not an API key.',
  security: [{ adminToken: [] }],
  request: { params: CarrierIdParam },
  responses: {
    200: jsonResponse(z.object({ data: z.array(UnknownCodeSchema) }), 'The codes, last seen first'),
    ...problemResponses(
      'admin_unauthorized',
      'not_found',
      'route_not_found',
      'rate_limited',
      'redis_unavailable',
    ),
  },
})

/** Without an admin token or a store of codes, the route is not there (as `/admin`). */
const absent: MiddlewareHandler = (c) => {
  throw new ApiError('route_not_found', `${c.req.method} ${c.req.path}`)
}

export function unknownCodeRoutes(deps: AppDeps) {
  const { admin, unknownCodes } = deps
  const router = createRouter()
  router.use('/:id/unknown-codes', admin && unknownCodes ? requireAdminToken(admin.token) : absent)
  return router.openapi(listUnknownCodesRoute, async (c) => {
    const { id } = c.req.valid('param')
    // Checked before the store: the id goes into Redis key names.
    if (!deps.carriers.get(id) || !unknownCodes) throw new ApiError('not_found', `no carrier ${id} here`)
    const codes = await unknownCodes.list(id)
    const data = codes.map((code) => {
      const override = deps.carriers.codeOverride?.(id, code.code, code.wordings)
      return override ? { ...code, override } : code
    })
    return c.json({ data }, 200)
  })
}
