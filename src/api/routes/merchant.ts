import { createRoute, z } from '@hono/zod-openapi'
import { LOGO_CONTENT_TYPES } from '../../store/merchant-settings-store.js'
import type { AppDeps } from '../app-deps.js'
import {
  BrandingInputSchema,
  BrandingSchema,
  checkAccentColor,
  requireBranding,
  SettingsPatchSchema,
  SettingsSchema,
  toBrandingFields,
  toBrandingView,
  toSettingsView,
} from '../branding/branding-schema.js'
import { acceptLogo, logoContentTypeOf, MAX_LOGO_BYTES } from '../branding/logo-upload.js'
import { MAX_LOGO_SIDE_PX } from '../branding/raster-logo.js'
import { API_KEY_PROBLEMS, ApiError, problemResponses } from '../problem.js'
import { createRouter, jsonBody, jsonResponse } from '../router.js'
import { requireJsonBody } from '../validation.js'

/** Where the routes below are mounted. */
export const MERCHANT_PATH = '/v1/merchant'
/** The one route whose body is an image, not JSON, with a limit of its own. */
export const LOGO_UPLOAD_PATH = `${MERCHANT_PATH}/branding/logo`

const TAGS = ['Merchant']

const JSON_BODY_PROBLEMS = [
  'invalid_json',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
] as const

const getBrandingRoute = createRoute({
  method: 'get',
  path: '/branding',
  operationId: 'getBranding',
  tags: TAGS,
  summary: "The merchant's branding on the tracking page and e-mails",
  responses: {
    200: jsonResponse(BrandingSchema, 'The branding'),
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const putBrandingRoute = createRoute({
  method: 'put',
  path: '/branding',
  operationId: 'putBranding',
  tags: TAGS,
  summary: 'Set the branding',
  description:
    'Replaces every field but the logo, which has its own route. An accent colour that does not contrast enough with white is refused (`insufficient_contrast`, with the ratio measured).',
  middleware: [requireJsonBody] as const,
  request: { body: jsonBody(BrandingInputSchema) },
  responses: {
    200: jsonResponse(BrandingSchema, 'The branding as stored'),
    ...problemResponses(...API_KEY_PROBLEMS, ...JSON_BODY_PROBLEMS, 'insufficient_contrast'),
  },
})

const imageBody = z.string().openapi({ format: 'binary' })

const putLogoRoute = createRoute({
  method: 'put',
  path: '/branding/logo',
  operationId: 'putBrandingLogo',
  tags: TAGS,
  summary: 'Upload the logo',
  description: `The image itself as the body, at most ${MAX_LOGO_BYTES} bytes and ${MAX_LOGO_SIDE_PX} px a side. An SVG is sanitized (no script, event handler, foreignObject, nor any reference outside the logo) and stored as sanitized. Needs the branding set first.`,
  request: {
    body: {
      required: true,
      content: Object.fromEntries(LOGO_CONTENT_TYPES.map((type) => [type, { schema: imageBody }])),
    },
  },
  responses: {
    200: jsonResponse(BrandingSchema, 'The branding with its new `logoUrl`'),
    ...problemResponses(
      ...API_KEY_PROBLEMS,
      'not_found',
      'payload_too_large',
      'unsupported_image_type',
      'invalid_image',
    ),
  },
})

const deleteLogoRoute = createRoute({
  method: 'delete',
  path: '/branding/logo',
  operationId: 'deleteBrandingLogo',
  tags: TAGS,
  summary: 'Remove the logo',
  description: 'Its URL answers 404 from then on.',
  responses: {
    204: { description: 'Removed, or there was none' },
    ...problemResponses(...API_KEY_PROBLEMS, 'not_found'),
  },
})

const getSettingsRoute = createRoute({
  method: 'get',
  path: '/settings',
  operationId: 'getMerchantSettings',
  tags: TAGS,
  summary: "The merchant's settings",
  responses: {
    200: jsonResponse(SettingsSchema, 'The settings, defaults included'),
    ...problemResponses(...API_KEY_PROBLEMS),
  },
})

const patchSettingsRoute = createRoute({
  method: 'patch',
  path: '/settings',
  operationId: 'patchMerchantSettings',
  tags: TAGS,
  summary: 'Change some settings',
  description: 'Fields left out keep their value; `null` puts a field back to its default.',
  middleware: [requireJsonBody] as const,
  request: { body: jsonBody(SettingsPatchSchema) },
  responses: {
    200: jsonResponse(SettingsSchema, 'The settings after the change'),
    ...problemResponses(...API_KEY_PROBLEMS, ...JSON_BODY_PROBLEMS),
  },
})

export function merchantRoutes(deps: Pick<AppDeps, 'merchantSettings' | 'now'>) {
  const now = deps.now ?? (() => new Date())
  const settings = deps.merchantSettings

  return createRouter()
    .openapi(getBrandingRoute, async (c) => {
      const merchantId = c.get('merchantId')
      return c.json(toBrandingView(merchantId, await settings.get(merchantId)), 200)
    })
    .openapi(putBrandingRoute, async (c) => {
      const merchantId = c.get('merchantId')
      const fields = toBrandingFields(c.req.valid('json'))
      if (fields.accentColor) checkAccentColor(fields.accentColor)
      return c.json(toBrandingView(merchantId, await settings.putBranding(merchantId, fields, now())), 200)
    })
    .openapi(putLogoRoute, async (c) => {
      const merchantId = c.get('merchantId')
      const contentType = logoContentTypeOf(c.req.header('content-type'))
      if (!contentType) {
        throw new ApiError(
          'unsupported_image_type',
          `send the image with Content-Type ${LOGO_CONTENT_TYPES.join(', ')}`,
        )
      }
      // Refused before the image is looked at: checking an SVG is the costly part.
      requireBranding(await settings.get(merchantId))
      const body = Buffer.from(await c.req.arrayBuffer())
      if (body.length > MAX_LOGO_BYTES) {
        throw new ApiError('payload_too_large', `logos are limited to ${MAX_LOGO_BYTES} bytes`)
      }
      const logo = await acceptLogo(body, contentType)
      return c.json(
        toBrandingView(merchantId, await settings.putLogo(merchantId, logo, contentType, now())),
        200,
      )
    })
    .openapi(deleteLogoRoute, async (c) => {
      const merchantId = c.get('merchantId')
      requireBranding(await settings.deleteLogo(merchantId, now()))
      return c.body(null, 204)
    })
    .openapi(getSettingsRoute, async (c) =>
      c.json(toSettingsView(await settings.get(c.get('merchantId'))), 200),
    )
    .openapi(patchSettingsRoute, async (c) => {
      const merchantId = c.get('merchantId')
      const { withdrawalDays } = c.req.valid('json')
      if (withdrawalDays === undefined) return c.json(toSettingsView(await settings.get(merchantId)), 200)
      const changed = await settings.putWithdrawalDays(merchantId, withdrawalDays ?? undefined, now())
      return c.json(toSettingsView(changed), 200)
    })
}
