import { z } from '@hono/zod-openapi'
import { AA_TEXT_CONTRAST, contrastWithWhite, HEX_COLOR } from '../../domain/color-contrast.js'
import {
  type BrandingFields,
  logoAssetPath,
  MAX_WITHDRAWAL_DAYS,
  type MerchantBranding,
  type MerchantSettings,
  MIN_WITHDRAWAL_DAYS,
} from '../../store/merchant-settings-store.js'
import { ApiError } from '../problem.js'

/** The name goes into e-mail subjects and headers, where a line break would start a header of its own. */
const CONTROL_CHARACTER = /\p{Cc}/u

export const BrandingInputSchema = z
  .object({
    displayName: z
      .string()
      .trim()
      .min(1)
      .max(80)
      .refine((name) => !CONTROL_CHARACTER.test(name), 'must not contain control characters')
      .describe('The name shoppers know the shop by')
      .openapi({ example: 'Maison Lumière' }),
    accentColor: z
      .string()
      .regex(HEX_COLOR, 'a colour written #rrggbb')
      .optional()
      .describe(
        `Buttons, links and progress in this colour, white text on it: its contrast with white must reach ${AA_TEXT_CONTRAST}:1 (WCAG 2.1 AA)`,
      )
      .openapi({ example: '#1a56db' }),
    supportUrl: z
      .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'an https:// URL on a domain name' })
      .max(2048)
      .optional()
      .openapi({ example: 'https://maison-lumiere.example/aide' }),
    supportEmail: z.email().max(254).optional().openapi({ example: 'aide@maison-lumiere.example' }),
    showOrderId: z.boolean().default(false).describe('Whether the tracking page shows the order id'),
  })
  .strict()
  .openapi('BrandingInput')

export const BrandingSchema = z
  .object({
    displayName: z.string(),
    accentColor: z.string().optional(),
    supportUrl: z.string().optional(),
    supportEmail: z.string().optional(),
    showOrderId: z.boolean(),
    logoUrl: z
      .string()
      .optional()
      .describe('Where colis serves the logo, without an API key; a new logo gets a new URL')
      .openapi({ example: '/assets/logos/shop-1/0c5b2a…' }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .openapi('Branding')

const WithdrawalDaysSchema = z.number().int().min(MIN_WITHDRAWAL_DAYS).max(MAX_WITHDRAWAL_DAYS)

export const SettingsPatchSchema = z
  .object({
    withdrawalDays: WithdrawalDaysSchema.nullable()
      .optional()
      .describe(
        `Days shoppers have to withdraw, from ${MIN_WITHDRAWAL_DAYS} (the law's); null goes back to it`,
      ),
  })
  .strict()
  .openapi('MerchantSettingsPatch', { example: { withdrawalDays: 30 } })

export const SettingsSchema = z
  .object({
    withdrawalDays: WithdrawalDaysSchema.describe(
      `Days shoppers have to withdraw from receipt; ${MIN_WITHDRAWAL_DAYS} until the merchant grants more`,
    ),
  })
  .openapi('MerchantSettings')

/** Refuses an accent colour the tracking page could not use readably, with the ratio it measured. */
export function checkAccentColor(hex: string): void {
  const ratio = contrastWithWhite(hex)
  if (ratio >= AA_TEXT_CONTRAST) return
  // Rounded down, so that the ratio shown is never one that would have passed.
  const shown = Math.floor(ratio * 100) / 100
  throw new ApiError(
    'insufficient_contrast',
    `${hex} has a contrast ratio of ${shown}:1 with white; at least ${AA_TEXT_CONTRAST}:1 is needed (WCAG 2.1 AA)`,
    { contrastRatio: shown, minimumContrastRatio: AA_TEXT_CONTRAST },
  )
}

/** The branding as given, with its colour in lower case (one spelling per colour). */
export function toBrandingFields(input: z.output<typeof BrandingInputSchema>): BrandingFields {
  return {
    displayName: input.displayName,
    showOrderId: input.showOrderId,
    ...(input.accentColor ? { accentColor: input.accentColor.toLowerCase() } : {}),
    ...(input.supportUrl ? { supportUrl: input.supportUrl } : {}),
    ...(input.supportEmail ? { supportEmail: input.supportEmail } : {}),
  }
}

/** The settings of a merchant that has set its branding; `not_found` otherwise. */
export function requireBranding(
  settings: MerchantSettings | undefined,
): MerchantSettings & { branding: MerchantBranding } {
  if (!settings?.branding) throw new ApiError('not_found', 'no branding yet: PUT /v1/merchant/branding')
  return { ...settings, branding: settings.branding }
}

export function toBrandingView(merchantId: string, found: MerchantSettings | undefined) {
  const settings = requireBranding(found)
  const { logo, ...fields } = settings.branding
  return {
    ...fields,
    ...(logo ? { logoUrl: logoAssetPath(merchantId, logo) } : {}),
    updatedAt: settings.updatedAt,
  }
}

export function toSettingsView(settings: MerchantSettings | undefined) {
  return { withdrawalDays: settings?.withdrawalDays ?? MIN_WITHDRAWAL_DAYS }
}
