export const LOGO_CONTENT_TYPES = ['image/png', 'image/svg+xml', 'image/webp'] as const
export type LogoContentType = (typeof LOGO_CONTENT_TYPES)[number]

/** The logo as stored: its bytes are kept apart, under their SHA-256. */
export interface StoredLogo {
  contentType: LogoContentType
  /** Lower-case hex SHA-256 of the bytes: the logo's address, so a new logo is a new URL. */
  sha256: string
  bytes: number
}

/** How the shopper's side (tracking page, e-mails) presents the merchant. */
export interface MerchantBranding {
  displayName: string
  /** `#rrggbb`, lower case; readable on white and under white text (checked when set). */
  accentColor?: string
  supportUrl?: string
  supportEmail?: string
  showOrderId: boolean
  logo?: StoredLogo
}

/** The branding a merchant writes in one go; its logo is uploaded on its own. */
export type BrandingFields = Omit<MerchantBranding, 'logo'>

export interface MerchantSettings {
  branding?: MerchantBranding
  /** Days a shopper has to withdraw; unset: the law's minimum. */
  withdrawalDays?: number
  updatedAt: string
}

export interface LogoFile {
  bytes: Uint8Array
  contentType: LogoContentType
}

/** The withdrawal period the law gives (Code de la consommation L221-18), which a merchant may only extend. */
export const MIN_WITHDRAWAL_DAYS = 14
export const MAX_WITHDRAWAL_DAYS = 365

/** Where colis serves a merchant's logo, relative to PUBLIC_BASE_URL. */
export function logoAssetPath(merchantId: string, logo: Pick<StoredLogo, 'sha256'>): string {
  return `/assets/logos/${merchantId}/${logo.sha256}`
}

/** What every merchant-settings store does: one settings document per merchant, and its logo's bytes. */
export interface MerchantSettingsStore {
  get(merchantId: string): Promise<MerchantSettings | undefined>
  /** Replaces the branding's fields, keeping its logo. */
  putBranding(merchantId: string, branding: BrandingFields, now?: Date): Promise<MerchantSettings>
  /** Sets the withdrawal period; undefined goes back to the law's. */
  putWithdrawalDays(merchantId: string, days: number | undefined, now?: Date): Promise<MerchantSettings>
  /**
   * Stores the logo and points the branding at it, dropping the bytes of the logo it replaces.
   * Undefined (nothing stored) when the merchant has no branding yet.
   */
  putLogo(
    merchantId: string,
    bytes: Uint8Array,
    contentType: LogoContentType,
    now?: Date,
  ): Promise<MerchantSettings | undefined>
  /** Removes the logo and its bytes; undefined when the merchant has no branding. */
  deleteLogo(merchantId: string, now?: Date): Promise<MerchantSettings | undefined>
  /** The logo's bytes, only while `sha256` is the merchant's current logo. */
  getLogo(merchantId: string, sha256: string): Promise<LogoFile | undefined>
}

/** The settings document after one change: the pure part both stores share. */
export const settingsChanges = {
  branding(current: MerchantSettings | undefined, fields: BrandingFields, now: Date): MerchantSettings {
    const logo = current?.branding?.logo
    return { ...current, branding: { ...fields, ...(logo ? { logo } : {}) }, updatedAt: now.toISOString() }
  },

  withdrawalDays(
    current: MerchantSettings | undefined,
    days: number | undefined,
    now: Date,
  ): MerchantSettings {
    const { withdrawalDays: _previous, ...rest } = current ?? {}
    return { ...rest, ...(days === undefined ? {} : { withdrawalDays: days }), updatedAt: now.toISOString() }
  },

  /** Undefined when there is no branding to hold a logo. */
  logo(current: MerchantSettings | undefined, logo: StoredLogo | undefined, now: Date) {
    if (!current?.branding) return undefined
    const { logo: _previous, ...branding } = current.branding
    return {
      ...current,
      branding: { ...branding, ...(logo ? { logo } : {}) },
      updatedAt: now.toISOString(),
    } satisfies MerchantSettings
  },
}
