import type { Child } from 'hono/jsx'
import type { TrackingStatus } from '../../domain/tracking-status.js'
import type { PageLanguage } from './page-language.js'

/** How the lookup pages present the merchant: its name, colour and logo. */
export interface LookupBranding {
  displayName: string
  /** `#rrggbb`, checked for contrast when the merchant set it. */
  accentColor?: string
  logoUrl?: string
}

/** One parcel of the order sent to the postal code given, as the list of several shows it. */
export interface LookupParcel {
  pageUrl: string
  carrierName: string
  trackingNumber: string
  status: TrackingStatus
}

/** Why the form is shown again: fields left empty, or nothing found (one message for every reason). */
export type LookupNotice = 'missing_fields' | 'not_found'

const WORDS = {
  fr: {
    title: 'Suivre ma commande',
    intro: 'Saisissez votre numéro de commande et le code postal de livraison pour retrouver votre colis.',
    orderId: 'Numéro de commande',
    orderIdHint: 'Tel qu’il figure dans la confirmation de votre commande.',
    postalCode: 'Code postal de livraison',
    submit: 'Retrouver mon colis',
    missing_fields: 'Indiquez le numéro de commande et le code postal de livraison.',
    not_found: 'Nous n’avons pas trouvé de colis pour ce numéro de commande et ce code postal.',
    parcelsTitle: 'Vos colis',
    parcelsIntro:
      'Plusieurs colis de cette commande sont livrés à ce code postal. Choisissez celui à suivre :',
    again: 'Rechercher une autre commande',
    tooMany: 'Trop de recherches sans résultat depuis cette adresse. Réessayez plus tard.',
    tooManyTitle: 'Trop de tentatives',
    other: 'English',
    otherLang: 'en',
  },
  en: {
    title: 'Track my order',
    intro: 'Enter your order number and the delivery postal code to find your parcel.',
    orderId: 'Order number',
    orderIdHint: 'As written in your order confirmation.',
    postalCode: 'Delivery postal code',
    submit: 'Find my parcel',
    missing_fields: 'Enter the order number and the delivery postal code.',
    not_found: 'We could not find a parcel for this order number and postal code.',
    parcelsTitle: 'Your parcels',
    parcelsIntro: 'Several parcels of this order go to this postal code. Choose the one to follow:',
    again: 'Look up another order',
    tooMany: 'Too many lookups without a result from this address. Try again later.',
    tooManyTitle: 'Too many attempts',
    other: 'Français',
    otherLang: 'fr',
  },
} as const satisfies Record<PageLanguage, Record<string, string>>

const STATUS_WORDS = {
  pending: { fr: 'En attente du transporteur', en: 'Waiting for the carrier' },
  info_received: { fr: 'Annoncé au transporteur', en: 'Announced to the carrier' },
  in_transit: { fr: 'En cours d’acheminement', en: 'In transit' },
  out_for_delivery: { fr: 'En cours de livraison', en: 'Out for delivery' },
  failed_attempt: { fr: 'Livraison non effectuée', en: 'Delivery attempt failed' },
  available_for_pickup: { fr: 'Disponible au point de retrait', en: 'Ready for pickup' },
  delivered: { fr: 'Livré', en: 'Delivered' },
  returned_to_sender: { fr: 'Retourné à l’expéditeur', en: 'Returned to sender' },
  exception: { fr: 'Incident de livraison', en: 'Delivery problem' },
  expired: { fr: 'Suivi terminé', en: 'Tracking ended' },
} as const satisfies Record<TrackingStatus, Record<PageLanguage, string>>

/** A blue readable on white and under white text, when the merchant chose no colour. */
const DEFAULT_ACCENT = '#1d4ed8'
const HEX_COLOR = /^#[0-9a-f]{6}$/

/** The pages' own styles: system fonts, one column that reads at 375 px, the merchant's accent. */
function styles(accent: string | undefined): string {
  const color = accent !== undefined && HEX_COLOR.test(accent) ? accent : DEFAULT_ACCENT
  return `:root{--accent:${color};color-scheme:light}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;background:#fff}
header{border-top:.5rem solid var(--accent);padding:1rem;display:flex;justify-content:space-between;align-items:center;gap:1rem}
header img{max-height:3rem;max-width:12rem}
.shop{font-weight:700;font-size:1.25rem;margin:0}
main{max-width:32rem;margin:0 auto;padding:0 1rem 2rem}
h1{font-size:1.5rem}
label{display:block;font-weight:600;margin-top:1rem}
.hint{display:block;color:#4b5563;font-size:.9rem}
input{display:block;width:100%;box-sizing:border-box;font:inherit;padding:.5rem;margin-top:.25rem;border:1px solid #6b7280;border-radius:.25rem}
button{margin-top:1.5rem;font:inherit;font-weight:600;padding:.6rem 1.2rem;border:0;border-radius:.25rem;background:var(--accent);color:#fff;cursor:pointer}
a{color:var(--accent)}
a:focus-visible,input:focus-visible,button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.notice{border-left:.25rem solid #b91c1c;background:#fef2f2;padding:.5rem 1rem}
li{margin:.5rem 0}`
}

function Document(props: { lang: PageLanguage; title: string; branding: LookupBranding; children: Child }) {
  const { lang, branding } = props
  const words = WORDS[lang]
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${branding.displayName}`}</title>
        <style dangerouslySetInnerHTML={{ __html: styles(branding.accentColor) }} />
      </head>
      <body>
        <header>
          {branding.logoUrl ? (
            <img src={branding.logoUrl} alt={branding.displayName} />
          ) : (
            <p class="shop">{branding.displayName}</p>
          )}
          <a href={`?lang=${words.otherLang}`} hreflang={words.otherLang} lang={words.otherLang}>
            {words.other}
          </a>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  )
}

const html = (page: Child) => `<!doctype html>\n${String(page)}\n`

/**
 * The order lookup form, posting to the URL it was shown at, in its language. Nothing the visitor
 * typed is written back: the answer to a lookup that found nothing is the same bytes for every reason.
 */
export function renderOrderLookupForm(input: {
  lang: PageLanguage
  branding: LookupBranding
  notice?: LookupNotice
}): string {
  const { lang, notice } = input
  const words = WORDS[lang]
  return html(
    <Document lang={lang} title={words.title} branding={input.branding}>
      <h1>{words.title}</h1>
      {notice ? (
        <p class="notice" role="alert" id="notice">
          {words[notice]}
        </p>
      ) : (
        <p>{words.intro}</p>
      )}
      <form method="post" action={`?lang=${lang}`}>
        <label for="order-id">{words.orderId}</label>
        <span class="hint" id="order-id-hint">
          {words.orderIdHint}
        </span>
        <input
          id="order-id"
          name="orderId"
          type="text"
          required
          maxlength={128}
          autocomplete="off"
          spellcheck={false}
          autocapitalize="off"
          aria-describedby={notice ? 'order-id-hint notice' : 'order-id-hint'}
        />
        <label for="postal-code">{words.postalCode}</label>
        <input
          id="postal-code"
          name="postalCode"
          type="text"
          required
          maxlength={10}
          autocomplete="shipping postal-code"
          spellcheck={false}
          aria-describedby={notice ? 'notice' : undefined}
        />
        <button type="submit">{words.submit}</button>
      </form>
    </Document>,
  )
}

/** The parcels of one order sent to the postal code given, each linking to its tracking page. */
export function renderOrderParcels(input: {
  lang: PageLanguage
  branding: LookupBranding
  parcels: readonly LookupParcel[]
}): string {
  const { lang } = input
  const words = WORDS[lang]
  return html(
    <Document lang={lang} title={words.parcelsTitle} branding={input.branding}>
      <h1>{words.parcelsTitle}</h1>
      <p>{words.parcelsIntro}</p>
      <ol>
        {input.parcels.map((parcel) => (
          <li>
            <a href={parcel.pageUrl}>
              {`${parcel.carrierName} ${parcel.trackingNumber} — ${STATUS_WORDS[parcel.status][lang]}`}
            </a>
          </li>
        ))}
      </ol>
      <p>
        <a href={`?lang=${lang}`}>{words.again}</a>
      </p>
    </Document>,
  )
}

/** The page of an address refused for too many failed lookups: no merchant read, nothing else said. */
export function renderLookupTooManyAttempts(lang: PageLanguage): string {
  const words = WORDS[lang]
  return html(
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{words.tooManyTitle}</title>
      </head>
      <body>
        <main>
          <h1>{words.tooManyTitle}</h1>
          <p>{words.tooMany}</p>
        </main>
      </body>
    </html>,
  )
}
