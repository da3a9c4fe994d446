import { createRoute, z } from '@hono/zod-openapi'
import { MERCHANT_PATTERN } from '../../store/api-key-store.js'
import type { AppDeps } from '../app-deps.js'
import { ApiError, problemResponses } from '../problem.js'
import { createRouter } from '../router.js'

/** A logo's URL names its bytes: what it serves never changes, and a replaced logo is a new URL. */
const LOGO_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  // An SVG opened on its own runs nothing and loads nothing; raster images need none of it either.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
}

const LogoParams = z.object({
  merchantId: z.string().regex(MERCHANT_PATTERN, 'no such logo').openapi({ example: 'shop-1' }),
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'no such logo')
    .openapi({ example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' }),
})

const binary = { schema: z.string().openapi({ format: 'binary' }) }

const getLogoRoute = createRoute({
  method: 'get',
  path: '/assets/logos/{merchantId}/{sha256}',
  operationId: 'getLogo',
  tags: ['Merchant'],
  summary: "A merchant's logo, for the tracking page and e-mails",
  description:
    'No API key: shoppers load it. Only the current logo answers; a replaced or removed one is 404.',
  security: [],
  request: { params: LogoParams },
  responses: {
    200: {
      description: 'The image, cached for good',
      headers: z.object({
        'cache-control': z.string().openapi({ example: LOGO_HEADERS['cache-control'] }),
        'x-content-type-options': z.literal('nosniff'),
        'content-security-policy': z.string().openapi({ example: LOGO_HEADERS['content-security-policy'] }),
      }),
      content: { 'image/png': binary, 'image/webp': binary, 'image/svg+xml': binary },
    },
    ...problemResponses('not_found', 'redis_unavailable'),
  },
})

export function logoAssetRoutes(deps: Pick<AppDeps, 'merchantSettings'>) {
  return createRouter().openapi(getLogoRoute, async (c) => {
    const { merchantId, sha256 } = c.req.valid('param')
    const logo = await deps.merchantSettings.getLogo(merchantId, sha256)
    if (!logo) throw new ApiError('not_found', 'no such logo')
    return c.body(new Uint8Array(logo.bytes), 200, { ...LOGO_HEADERS, 'content-type': logo.contentType })
  })
}
