import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'

/** How a merchant's pages look and whom shoppers may contact. */
export interface PageBranding {
  displayName: string
  accentColor?: string
  logoUrl?: string
  supportUrl?: string
  supportEmail?: string
}

export interface TrackingPageInput {
  record: TrackingRecord
  events: readonly TrackingEvent[]
  lang: 'fr' | 'en'
  nowMs: number
  carrierName: string
  /** The carrier's own public tracking page for this number. */
  carrierTrackingUrl?: string
  branding: PageBranding
  showOrderId: boolean
  /** This page's own URL (for the language switch links). */
  pageUrl: string
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char)

const WORDS = {
  fr: { status: 'Statut', carrier: 'Transporteur', order: 'Commande', other: 'English', otherLang: 'en' },
  en: { status: 'Status', carrier: 'Carrier', order: 'Order', other: 'Français', otherLang: 'fr' },
} as const

/** The shopper's page of one parcel, as a whole HTML document; no personal data, no script. */
export function renderTrackingPage(input: TrackingPageInput): string {
  const { record, lang } = input
  const words = WORDS[lang]
  const carrier = input.carrierTrackingUrl
    ? `<a href="${escapeHtml(input.carrierTrackingUrl)}">${escapeHtml(input.carrierName)}</a>`
    : escapeHtml(input.carrierName)
  const events = [...input.events]
    .reverse()
    .map(
      (event) =>
        `<li><time datetime="${escapeHtml(event.occurredAt)}">${escapeHtml(event.occurredAt)}</time> ${escapeHtml(event.status)}</li>`,
    )
    .join('')
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(input.branding.displayName)}</title></head>
<body>
<p><a href="${escapeHtml(`${input.pageUrl}?lang=${words.otherLang}`)}" hreflang="${words.otherLang}">${words.other}</a></p>
<h1>${escapeHtml(input.branding.displayName)}</h1>
<p>${words.status}: ${escapeHtml(record.status)}</p>
<p>${words.carrier}: ${carrier} ${escapeHtml(record.trackingNumber)}</p>
${input.showOrderId && record.orderId ? `<p>${words.order}: ${escapeHtml(record.orderId)}</p>` : ''}
<ol>${events}</ol>
</body>
</html>
`
}
