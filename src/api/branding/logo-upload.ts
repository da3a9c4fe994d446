import { LOGO_CONTENT_TYPES, type LogoContentType } from '../../store/merchant-settings-store.js'
import { ApiError } from '../problem.js'
import { checkPng, checkWebp } from './raster-logo.js'
import { sanitizeSvg } from './sanitize-svg.js'

/** A logo is shown small on a page that must stay light: its bytes are limited (KiB). */
export const MAX_LOGO_BYTES = 100 * 1024

/** The logo's type from a request's Content-Type (parameters and case aside), if it is one colis takes. */
export function logoContentTypeOf(header: string | undefined): LogoContentType | undefined {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase()
  return LOGO_CONTENT_TYPES.find((type) => type === mediaType)
}

/**
 * The bytes to store for an uploaded logo: a PNG or WebP as it came once its header holds, an SVG
 * sanitized. Refused with `invalid_image` otherwise.
 */
export async function acceptLogo(body: Buffer, contentType: LogoContentType): Promise<Buffer> {
  if (contentType === 'image/svg+xml') {
    const sanitized = await sanitizeSvg(body)
    if (!sanitized.ok) throw new ApiError('invalid_image', sanitized.reason)
    return sanitized.svg
  }
  const problem = contentType === 'image/png' ? checkPng(body) : checkWebp(body)
  if (problem) throw new ApiError('invalid_image', problem)
  return body
}
