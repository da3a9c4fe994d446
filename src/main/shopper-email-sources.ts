import { pageBranding } from '../api/tracking-page/page-branding.js'
import { trackingPageUrl } from '../api/tracking-page/page-url.js'
import { toTrackingView } from '../domain/tracking-view.js'
import type { EmailContextSources } from '../email/email-context.js'
import type { MerchantSettingsStore } from '../store/merchant-settings-store.js'
import type { TrackingStore } from '../store/tracking-store.js'

/**
 * Where a shopper's e-mail finds the merchant's branding, the parcel's page and its deadlines: the
 * same stores and rules as the tracking page, so the e-mail and the page never disagree. Links are
 * absolute: an e-mail is read away from colis.
 */
export function shopperEmailSources(deps: {
  merchantSettings: Pick<MerchantSettingsStore, 'get'>
  store: Pick<TrackingStore, 'loadForPoll'>
  publicBaseUrl: string
}): EmailContextSources {
  const recordOf = async (trackingId: string) => (await deps.store.loadForPoll([trackingId]))[0]?.record
  return {
    async branding(merchantId) {
      const settings = await deps.merchantSettings.get(merchantId)
      return pageBranding(merchantId, settings?.branding, deps.publicBaseUrl)
    },
    async trackingPageUrl(trackingId) {
      const record = await recordOf(trackingId)
      return record ? trackingPageUrl(deps.publicBaseUrl, record.pageToken) : undefined
    },
    async consumerDeadlines(trackingId, merchantId) {
      const [record, settings] = await Promise.all([
        recordOf(trackingId),
        deps.merchantSettings.get(merchantId),
      ])
      if (!record) return undefined
      return toTrackingView(record, undefined, undefined, { withdrawalDays: settings?.withdrawalDays })
        .consumerDeadlines
    },
  }
}
