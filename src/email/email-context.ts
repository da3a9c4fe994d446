import type { MilestoneFacts, ShopperLanguage, ShopperMilestone } from '../domain/shopper-milestones.js'
import { unsubscribeToken } from './unsubscribe-token.js'

/** The merchant as the shopper sees it. */
export interface EmailBranding {
  displayName: string
  /** `#rrggbb`, checked for contrast where it is set. */
  accentColor?: string
  logoUrl?: string
  supportUrl?: string
  supportEmail?: string
}

/** The legal deadlines of a delivered parcel (French consumer law), each an RFC 3339 time or a date. */
export interface ConsumerDeadlines {
  withdrawalUntil: string
  carrierProtestUntil: string
  conformityGuaranteeUntil: string
}

/** Everything one milestone e-mail says: what the templates render, whatever it comes from. */
export interface EmailContext {
  lang: ShopperLanguage
  milestone: ShopperMilestone
  facts: MilestoneFacts
  carrierName: string
  trackingNumber: string
  branding: EmailBranding
  trackingPageUrl?: string
  /** Given with `delivered` when known. */
  consumerDeadlines?: ConsumerDeadlines
  unsubscribeUrl: string
}

/**
 * Where the parts of an e-mail come from besides the delivery itself: each optional, what is missing is
 * left out of the message (the merchant id stands for its name).
 */
export interface EmailContextSources {
  branding?(merchantId: string): Promise<EmailBranding | undefined>
  trackingPageUrl?(trackingId: string): Promise<string | undefined>
  consumerDeadlines?(trackingId: string, merchantId: string): Promise<ConsumerDeadlines | undefined>
  carrierName?(carrierId: string): string | undefined
}

export interface EmailContextInput {
  subscription: {
    id: string
    trackingId: string
    merchantId: string
    lang: ShopperLanguage
    unsubscribeSecret: string
  }
  delivery: { milestone: ShopperMilestone; facts: MilestoneFacts; carrier: string; trackingNumber: string }
  /** PUBLIC_BASE_URL. */
  publicBaseUrl: string
}

/** The one place an e-mail's context is put together from its sources. */
export async function buildEmailContext(
  { subscription, delivery, publicBaseUrl }: EmailContextInput,
  sources: EmailContextSources = {},
): Promise<EmailContext> {
  const deliveredAt = delivery.milestone === 'delivered' ? delivery.facts.deliveredAt : undefined
  const [branding, trackingPageUrl, consumerDeadlines] = await Promise.all([
    sources.branding?.(subscription.merchantId),
    sources.trackingPageUrl?.(subscription.trackingId),
    deliveredAt ? sources.consumerDeadlines?.(subscription.trackingId, subscription.merchantId) : undefined,
  ])
  const token = unsubscribeToken(subscription.trackingId, subscription.id, subscription.unsubscribeSecret)
  return {
    lang: subscription.lang,
    milestone: delivery.milestone,
    facts: delivery.facts,
    carrierName: sources.carrierName?.(delivery.carrier) ?? delivery.carrier,
    trackingNumber: delivery.trackingNumber,
    branding: branding ?? { displayName: subscription.merchantId },
    ...(trackingPageUrl ? { trackingPageUrl } : {}),
    ...(consumerDeadlines ? { consumerDeadlines } : {}),
    unsubscribeUrl: `${publicBaseUrl}/unsubscribe/${token}`,
  }
}
