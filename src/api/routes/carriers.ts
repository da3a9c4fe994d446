import { createRoute, z } from '@hono/zod-openapi'
import type { AppDeps } from '../app-deps.js'
import { API_KEY_PROBLEMS, CarrierCandidateSchema, problemResponses } from '../problem.js'
import { createRouter, jsonResponse } from '../router.js'

const DetectQuerySchema = z.object({
  number: z.string().min(1).max(64).openapi({ example: '6A15602676300' }),
})

const CarrierSchema = z
  .object({
    id: z.string().openapi({ example: 'laposte' }),
    name: z.string().openapi({ example: 'La Poste' }),
    batchSize: z.number().int().describe('Parcels asked per carrier request'),
    rateLimit: z.object({ max: z.number().int(), durationMs: z.number().int() }),
    needsCredentials: z.boolean(),
    configured: z.boolean().describe('False when it needs credentials this deployment lacks'),
    source: z
      .object({
        name: z
          .string()
          .openapi({ example: 'trace.dpd.fr public page, often behind a Cloudflare bot check' }),
        bestEffort: z.boolean().describe('Read without the support of the carrier: it may fail at any time'),
      })
      .optional()
      .describe('Where its data comes from, for a carrier whose source depends on the configuration'),
    recentFailures: z
      .record(z.string(), z.number().int())
      .describe('Recent failed polls by kind (`unavailable`, `rate_limited`, …)'),
  })
  .openapi('Carrier')

const DetectionSchema = z
  .object({
    trackingNumber: z.string(),
    candidates: z.array(CarrierCandidateSchema),
    problems: z.array(z.string()),
    winner: z.string().optional().describe('The carrier registration would pick, when one clearly wins'),
  })
  .openapi('CarrierDetection')

const TAGS = ['Carriers']

const listCarriersRoute = createRoute({
  method: 'get',
  path: '/',
  operationId: 'listCarriers',
  tags: TAGS,
  summary: 'List the carriers of this deployment',
  responses: {
    200: jsonResponse(
      z.object({ data: z.array(CarrierSchema) }),
      'Carriers with their limits and recent failures',
    ),
    ...problemResponses(...API_KEY_PROBLEMS),
  },
})

const detectRoute = createRoute({
  method: 'get',
  path: '/detect',
  operationId: 'detectCarrier',
  tags: TAGS,
  summary: 'Which carriers could track this number',
  request: { query: DetectQuerySchema },
  responses: {
    200: jsonResponse(DetectionSchema, 'Candidates, best first'),
    ...problemResponses(...API_KEY_PROBLEMS, 'validation_failed'),
  },
})

export function carrierRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(listCarriersRoute, async (c) => {
      const carriers = deps.carriers.list()
      const failures = await deps.carrierFailures(carriers.map((carrier) => carrier.id))
      return c.json(
        {
          data: carriers.map((carrier) => ({
            id: carrier.id,
            name: carrier.name,
            batchSize: carrier.batchSize,
            rateLimit: carrier.rateLimit,
            needsCredentials: carrier.needsCredentials,
            configured: carrier.configured,
            ...(carrier.source ? { source: carrier.source } : {}),
            recentFailures: failures.get(carrier.id) ?? {},
          })),
        },
        200,
      )
    })
    .openapi(detectRoute, (c) => c.json(deps.carriers.detect(c.req.valid('query').number), 200))
}
