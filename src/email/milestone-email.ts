import type { DeliveryWindow } from '../domain/carrier-snapshot.js'
import type { ShopperLanguage, ShopperMilestone } from '../domain/shopper-milestones.js'
import type { EventLocation } from '../domain/tracking-event.js'
import type { EmailContext } from './email-context.js'

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const PARIS = 'Europe/Paris'
const LOCALE: Record<ShopperLanguage, string> = { fr: 'fr-FR', en: 'en-GB' }
const DEFAULT_ACCENT = '#1a4fa0'

/** "mardi 8 décembre" / "Tuesday 8 December", in Paris. A calendar date is read as that day. */
function formatDay(value: string, lang: ShopperLanguage): string {
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T12:00:00Z`) : Date.parse(value)
  return new Intl.DateTimeFormat(LOCALE[lang], {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: PARIS,
  }).format(instant)
}

/** "14 h 05" / "14:05", in Paris. */
function formatTime(value: string, lang: ShopperLanguage): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: PARIS,
  }).formatToParts(Date.parse(value))
  const hour = Number(parts.find((part) => part.type === 'hour')?.value ?? '0')
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '00'
  if (lang === 'en') return `${String(hour).padStart(2, '0')}:${minute}`
  return minute === '00' ? `${hour} h` : `${hour} h ${minute}`
}

function formatWindow(window: DeliveryWindow, lang: ShopperLanguage): string {
  const day = formatDay(window.from, lang)
  return lang === 'fr'
    ? `${day}, entre ${formatTime(window.from, lang)} et ${formatTime(window.to, lang)}`
    : `${day}, between ${formatTime(window.from, lang)} and ${formatTime(window.to, lang)}`
}

/** One line, no control characters: carrier wording goes into subjects and plain text as is otherwise. */
function oneLine(text: string): string {
  return text.replace(/[\p{Cc}\s]+/gu, ' ').trim()
}

function placeName(place: EventLocation | undefined): string | undefined {
  return place?.name ? oneLine(place.name) : undefined
}

function placeAddress(place: EventLocation | undefined): string | undefined {
  const parts = [place?.postalCode, place?.city].filter((part): part is string => Boolean(part))
  return parts.length > 0 ? oneLine(parts.join(' ')) : undefined
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** What one milestone says: a subject, a headline and the lines under it (plain text, escaped later). */
interface Message {
  subject: string
  lines: string[]
}

type Wording = Record<ShopperMilestone, (ctx: EmailContext) => Message>

const FR: Wording = {
  shipped: ({ facts }) => ({
    subject: 'Votre colis est en route',
    lines: [
      'Le transporteur a pris en charge votre colis.',
      ...(facts.estimatedDelivery
        ? [`Livraison estimée : ${formatDay(facts.estimatedDelivery, 'fr')}.`]
        : []),
    ],
  }),
  out_for_delivery: ({ facts }) => ({
    subject: 'Votre colis arrive aujourd’hui',
    lines: [
      'Votre colis est en cours de livraison.',
      ...(facts.estimatedDeliveryWindow
        ? [`Créneau prévu : ${formatWindow(facts.estimatedDeliveryWindow, 'fr')}.`]
        : []),
    ],
  }),
  available_for_pickup: ({ facts }) => {
    const name = placeName(facts.place)
    const address = placeAddress(facts.place)
    return {
      subject: name
        ? `Votre colis est disponible au point relais ${name}`
        : 'Votre colis est disponible en point relais',
      lines: [
        `Votre colis vous attend${name ? ` au point relais ${name}` : ' en point relais'}${address ? ` (${address})` : ''}.`,
        ...(facts.lastCollectionDay
          ? [`Vous pouvez le retirer jusqu’au ${formatDay(facts.lastCollectionDay, 'fr')} inclus.`]
          : []),
        'Pensez à votre pièce d’identité.',
      ],
    }
  },
  pickup_reminder: ({ facts }) => ({
    subject: facts.lastCollectionDay
      ? `Rappel : votre colis vous attend jusqu’au ${formatDay(facts.lastCollectionDay, 'fr')}`
      : 'Rappel : votre colis vous attend en point relais',
    lines: [
      `Votre colis vous attend toujours${placeName(facts.place) ? ` au point relais ${placeName(facts.place)}` : ''}.`,
      'Passé le dernier jour, il sera renvoyé à l’expéditeur.',
    ],
  }),
  failed_attempt: ({ facts }) => ({
    subject: 'Le transporteur n’a pas pu livrer votre colis',
    lines: [
      `Le transporteur n’a pas pu livrer votre colis${facts.carrierWording ? ` : « ${oneLine(facts.carrierWording)} »` : '.'}`,
      'Prochaine étape : le transporteur repasse ou dépose le colis en point relais ; suivez-le pour savoir où et quand.',
    ],
  }),
  delivered: ({ facts, consumerDeadlines }) => ({
    subject: 'Votre colis a été livré',
    lines: [
      facts.deliveredAt
        ? `Votre colis a été livré le ${formatDay(facts.deliveredAt, 'fr')} à ${formatTime(facts.deliveredAt, 'fr')}.`
        : 'Votre colis a été livré.',
      ...(consumerDeadlines
        ? [
            `Colis abîmé ou incomplet ? Vous avez jusqu’au ${formatDay(consumerDeadlines.carrierProtestUntil, 'fr')} pour le signaler au transporteur.`,
            `Vous pouvez vous rétracter jusqu’au ${formatDay(consumerDeadlines.withdrawalUntil, 'fr')}.`,
            `Garantie légale de conformité jusqu’au ${formatDay(consumerDeadlines.conformityGuaranteeUntil, 'fr')}.`,
          ]
        : []),
    ],
  }),
  delayed: ({ facts }) => ({
    subject: 'Votre colis a du retard',
    lines: [
      facts.estimatedDeliveryWindow
        ? `Votre colis a du retard — nouvelle estimation : ${formatWindow(facts.estimatedDeliveryWindow, 'fr')}.`
        : facts.estimatedDelivery
          ? `Votre colis a du retard — nouvelle estimation : ${formatDay(facts.estimatedDelivery, 'fr')}.`
          : 'Votre colis a du retard. Nous vous prévenons dès qu’il repart.',
    ],
  }),
  returned_to_sender: () => ({
    subject: 'Votre colis retourne à l’expéditeur',
    lines: ['Votre colis est renvoyé à l’expéditeur. Contactez la boutique pour la suite.'],
  }),
}

const EN: Wording = {
  shipped: ({ facts }) => ({
    subject: 'Your parcel is on its way',
    lines: [
      'The carrier has picked up your parcel.',
      ...(facts.estimatedDelivery
        ? [`Estimated delivery: ${formatDay(facts.estimatedDelivery, 'en')}.`]
        : []),
    ],
  }),
  out_for_delivery: ({ facts }) => ({
    subject: 'Your parcel arrives today',
    lines: [
      'Your parcel is out for delivery.',
      ...(facts.estimatedDeliveryWindow
        ? [`Expected: ${formatWindow(facts.estimatedDeliveryWindow, 'en')}.`]
        : []),
    ],
  }),
  available_for_pickup: ({ facts }) => {
    const name = placeName(facts.place)
    const address = placeAddress(facts.place)
    return {
      subject: name ? `Your parcel is ready for pickup at ${name}` : 'Your parcel is ready for pickup',
      lines: [
        `Your parcel is waiting for you${name ? ` at ${name}` : ' at a pickup point'}${address ? ` (${address})` : ''}.`,
        ...(facts.lastCollectionDay
          ? [`You can collect it until ${formatDay(facts.lastCollectionDay, 'en')} included.`]
          : []),
        'Bring an ID.',
      ],
    }
  },
  pickup_reminder: ({ facts }) => ({
    subject: facts.lastCollectionDay
      ? `Reminder: your parcel waits for you until ${formatDay(facts.lastCollectionDay, 'en')}`
      : 'Reminder: your parcel waits for you at the pickup point',
    lines: [
      `Your parcel is still waiting for you${placeName(facts.place) ? ` at ${placeName(facts.place)}` : ''}.`,
      'After the last day, it goes back to the sender.',
    ],
  }),
  failed_attempt: ({ facts }) => ({
    subject: 'The carrier could not deliver your parcel',
    lines: [
      `The carrier could not deliver your parcel${facts.carrierWording ? `: “${oneLine(facts.carrierWording)}”` : '.'}`,
      'Next: the carrier tries again or leaves it at a pickup point; follow it to know where and when.',
    ],
  }),
  delivered: ({ facts, consumerDeadlines }) => ({
    subject: 'Your parcel has been delivered',
    lines: [
      facts.deliveredAt
        ? `Your parcel was delivered on ${formatDay(facts.deliveredAt, 'en')} at ${formatTime(facts.deliveredAt, 'en')}.`
        : 'Your parcel has been delivered.',
      ...(consumerDeadlines
        ? [
            `Damaged or incomplete? Tell the carrier by ${formatDay(consumerDeadlines.carrierProtestUntil, 'en')}.`,
            `You may withdraw from the purchase until ${formatDay(consumerDeadlines.withdrawalUntil, 'en')}.`,
            `Legal guarantee of conformity until ${formatDay(consumerDeadlines.conformityGuaranteeUntil, 'en')}.`,
          ]
        : []),
    ],
  }),
  delayed: ({ facts }) => ({
    subject: 'Your parcel is delayed',
    lines: [
      facts.estimatedDeliveryWindow
        ? `Your parcel is delayed — new estimate: ${formatWindow(facts.estimatedDeliveryWindow, 'en')}.`
        : facts.estimatedDelivery
          ? `Your parcel is delayed — new estimate: ${formatDay(facts.estimatedDelivery, 'en')}.`
          : 'Your parcel is delayed. We will tell you as soon as it moves again.',
    ],
  }),
  returned_to_sender: () => ({
    subject: 'Your parcel is going back to the sender',
    lines: ['Your parcel is being returned to the sender. Contact the shop about what happens next.'],
  }),
}

const WORDING: Record<ShopperLanguage, Wording> = { fr: FR, en: EN }

const FRAME = {
  fr: {
    parcel: (number: string, carrier: string) => `Colis ${number} (${carrier})`,
    follow: 'Suivre mon colis',
    support: 'Une question ? Contactez',
    unsubscribe: 'Ne plus recevoir d’e-mails sur ce colis',
  },
  en: {
    parcel: (number: string, carrier: string) => `Parcel ${number} (${carrier})`,
    follow: 'Track my parcel',
    support: 'A question? Contact',
    unsubscribe: 'Stop e-mails about this parcel',
  },
} as const

/** "Libellé : valeur" in French typography, "Label: value" in English. */
const labelled = (lang: ShopperLanguage, label: string, value: string) =>
  lang === 'fr' ? `${label} : ${value}` : `${label}: ${value}`

/** An http(s) URL safe to put in an attribute, or undefined. */
function safeUrl(url: string | undefined): string | undefined {
  return url && /^https?:\/\/[^\s"'<>]+$/.test(url) ? url : undefined
}

/** A milestone's e-mail: subject, plain text and HTML (every outside string escaped in it). */
export function renderMilestoneEmail(ctx: EmailContext): RenderedEmail {
  const { lang, branding } = ctx
  const message = WORDING[lang][ctx.milestone](ctx)
  const frame = FRAME[lang]
  const shop = oneLine(branding.displayName)
  const parcel = frame.parcel(oneLine(ctx.trackingNumber), oneLine(ctx.carrierName))
  const pageUrl = safeUrl(ctx.trackingPageUrl)
  const supportUrl = safeUrl(branding.supportUrl)
  const support = branding.supportEmail ?? supportUrl
  const accent = /^#[0-9a-f]{6}$/i.test(branding.accentColor ?? '') ? branding.accentColor : DEFAULT_ACCENT

  const text = [
    shop,
    '',
    message.subject,
    '',
    ...message.lines,
    '',
    parcel,
    ...(pageUrl ? [labelled(lang, frame.follow, pageUrl)] : []),
    ...(support ? ['', labelled(lang, `${frame.support} ${shop}`, support)] : []),
    '',
    labelled(lang, frame.unsubscribe, ctx.unsubscribeUrl),
    '',
  ].join('\n')

  const logoUrl = safeUrl(branding.logoUrl)
  const header = logoUrl
    ? `<img src="${escapeHtml(logoUrl)}" alt="${escapeHtml(shop)}" style="max-height:48px">`
    : `<strong style="font-size:18px">${escapeHtml(shop)}</strong>`
  const supportHtml = support
    ? `<p style="color:#555">${labelled(
        lang,
        escapeHtml(`${frame.support} ${shop}`),
        branding.supportEmail
          ? `<a href="mailto:${escapeHtml(branding.supportEmail)}">${escapeHtml(branding.supportEmail)}</a>`
          : `<a href="${escapeHtml(supportUrl ?? '')}">${escapeHtml(supportUrl ?? '')}</a>`,
      )}</p>`
    : ''
  const html =
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(message.subject)}</title></head>` +
    '<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1a1a1a;background:#f6f6f6">' +
    '<div style="max-width:560px;margin:0 auto;background:#fff;padding:24px;border-radius:8px">' +
    `<div style="border-bottom:3px solid ${accent};padding-bottom:12px;margin-bottom:16px">${header}</div>` +
    `<h1 style="font-size:20px;margin:0 0 12px">${escapeHtml(message.subject)}</h1>` +
    message.lines.map((line) => `<p style="margin:0 0 10px">${escapeHtml(line)}</p>`).join('') +
    `<p style="color:#555;margin:16px 0">${escapeHtml(parcel)}</p>` +
    (pageUrl
      ? `<p><a href="${escapeHtml(pageUrl)}" style="display:inline-block;background:${accent};color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(frame.follow)}</a></p>`
      : '') +
    supportHtml +
    `<p style="font-size:12px;color:#777;margin-top:24px"><a href="${escapeHtml(ctx.unsubscribeUrl)}" style="color:#777">${escapeHtml(frame.unsubscribe)}</a></p>` +
    '</div></body></html>'

  return { subject: oneLine(message.subject), text, html }
}
