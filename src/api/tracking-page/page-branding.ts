import { logoAssetPath, type MerchantBranding } from '../../store/merchant-settings-store.js'
import type { PageBranding } from './render.js'

/**
 * The merchant as the shopper's pages and e-mails show it: its own branding, or its id until it sets
 * one. The logo's URL is relative to colis, or absolute given `publicBaseUrl` (an e-mail is read away
 * from colis).
 */
export function pageBranding(
  merchantId: string,
  branding: MerchantBranding | undefined,
  publicBaseUrl = '',
): PageBranding {
  if (!branding) return { displayName: merchantId }
  const { displayName, accentColor, supportUrl, supportEmail, logo } = branding
  return {
    displayName,
    ...(accentColor ? { accentColor } : {}),
    ...(logo ? { logoUrl: `${publicBaseUrl}${logoAssetPath(merchantId, logo)}` } : {}),
    ...(supportUrl ? { supportUrl } : {}),
    ...(supportEmail ? { supportEmail } : {}),
  }
}
