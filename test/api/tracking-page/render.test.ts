import { type CheerioAPI, load } from 'cheerio'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_TIMELINE_ROWS, renderTrackingPage } from '../../../src/api/tracking-page/render.js'
import { type TrackingEvent, withEventId } from '../../../src/domain/tracking-event.js'
import { EVENT_STATUSES } from '../../../src/domain/tracking-status.js'
import { anyText } from '../../support/arbitraries.js'
import { propertyRuns } from '../../support/property-runs.js'
import {
  PAGE_STATES,
  type PageState,
  PRIVATE_FACTS,
  pageInput,
  SAMPLE_DEADLINES,
  stateRecord,
} from '../../support/tracking-page-states.js'

const PAGE_URL = 'https://colis.example/t/Zm9vYmFyYmF6cXV4cXV1eA'

/** The page parsed, a space between every two tags so that the text of neighbouring elements stays apart. */
function page(html: string): CheerioAPI {
  return load(html.replaceAll('><', '> <'))
}

/** Visible text, spaces normalized (the page keeps `10 h` together with non-breaking spaces). */
function textOf($: CheerioAPI, selector: string): string {
  return $(selector).text().replaceAll('\u00a0', ' ').replace(/\s+/g, ' ').trim()
}

const EXPECTED: Record<PageState, { fr: [string, string]; en: [string, string] }> = {
  pending: {
    fr: ['Votre colis sera bientôt confié au transporteur', 'Livraison prévue : mercredi 9 décembre'],
    en: ['Your parcel will soon be handed to the carrier', 'Expected delivery: Wednesday 9 December'],
  },
  info_received: {
    fr: ['Le transporteur attend votre colis', 'Livraison prévue : mercredi 9 décembre'],
    en: ['The carrier is expecting your parcel', 'Expected delivery: Wednesday 9 December'],
  },
  in_transit: {
    fr: ['Votre colis est en route', 'Livraison estimée : mardi 8 décembre'],
    en: ['Your parcel is on its way', 'Estimated delivery: Tuesday 8 December'],
  },
  out_for_delivery: {
    fr: ['Votre colis est en cours de livraison', 'Livraison estimée : mardi 8 décembre, entre 10 h et 12 h'],
    en: [
      'Your parcel is out for delivery',
      'Estimated delivery: Tuesday 8 December, between 10 am and 12 pm',
    ],
  },
  failed_attempt: {
    fr: ["La livraison n'a pas pu se faire", ''],
    en: ['The delivery could not be made', ''],
  },
  available_for_pickup: {
    fr: ['Votre colis vous attend au point de retrait', 'À retirer au plus tard le samedi 19 décembre'],
    en: ['Your parcel is waiting at the pickup point', 'Collect it by Saturday 19 December'],
  },
  delivered: {
    fr: ['Votre colis a été livré', 'Livré le mardi 8 décembre à 11 h 05'],
    en: ['Your parcel has been delivered', 'Delivered on Tuesday 8 December at 11:05 am'],
  },
  returned: {
    fr: ["Votre colis est renvoyé à l'expéditeur", ''],
    en: ['Your parcel is being returned to the sender', ''],
  },
  exception: {
    fr: ['Votre colis rencontre un problème', ''],
    en: ['There is a problem with your parcel', ''],
  },
  late: {
    fr: ['Votre colis est en route', ''],
    en: ['Your parcel is on its way', ''],
  },
}

const NOTICES: Partial<Record<PageState, { fr: string; en: string }>> = {
  failed_attempt: {
    fr: "Le transporteur n'a pas pu livrer : « Destinataire absent : avis de passage déposé ». Prochaine étape : il repasse ou dépose votre colis dans un point de retrait ; son avis de passage vous dit lequel.",
    en: 'The carrier could not deliver: “Destinataire absent : avis de passage déposé”. Next step: the carrier tries again or leaves your parcel at a pickup point; its delivery notice tells you which.',
  },
  returned: {
    fr: 'Contactez Maison Lumière pour un nouvel envoi ou un remboursement.',
    en: 'Contact Maison Lumière about a new shipment or a refund.',
  },
  exception: {
    fr: "Le transporteur signale : « Colis retenu en douane : documents manquants ». Cette page se met à jour dès qu'il en dit plus.",
    en: 'The carrier reports: “Colis retenu en douane : documents manquants”. This page updates as soon as it says more.',
  },
  late: {
    fr: 'Votre colis a du retard — nouvelle estimation : jeudi 10 décembre.',
    en: 'Your parcel is late — new estimate: Thursday 10 December.',
  },
}

describe('the tracking page', () => {
  describe.each(['fr', 'en'] as const)('in %s', (lang) => {
    it.each(PAGE_STATES)('says where a parcel that is %s stands, in one sentence and one line', (state) => {
      const $ = page(renderTrackingPage(pageInput(state, lang)))
      const [headline, lead] = EXPECTED[state][lang]
      expect(textOf($, 'h1')).toBe(headline)
      expect(textOf($, '.lead')).toBe(lead)
      expect(textOf($, '.notice')).toBe(NOTICES[state]?.[lang] ?? '')
    })

    it.each(PAGE_STATES)('shows nothing private about a parcel that is %s', (state) => {
      const html = renderTrackingPage(pageInput(state, lang))
      for (const fact of Object.values(PRIVATE_FACTS)) expect(html).not.toContain(fact)
      expect(html).toContain(stateRecord(state).record.trackingNumber)
    })
  })

  it('is a document for shoppers only: language, no indexing, no referrer, no script, one style sheet', () => {
    const html = renderTrackingPage(pageInput('in_transit', 'en'))
    expect(html.startsWith('<!DOCTYPE html><html lang="en">')).toBe(true)
    const $ = page(html)
    expect($('meta[name="robots"]').attr('content')).toMatch(/\bnoindex\b/)
    expect($('meta[name="referrer"]').attr('content')).toBe('no-referrer')
    expect($('meta[name="viewport"]').attr('content')).toContain('width=device-width')
    expect($('script')).toHaveLength(0)
    expect($('style')).toHaveLength(1)
    expect($('[style]')).toHaveLength(0)
    expect($('link')).toHaveLength(0)
    expect(
      $('img')
        .map((_, img) => $(img).attr('src'))
        .get(),
    ).toEqual(['/logo.svg'])
    expect($('header, main, footer, h1')).toHaveLength(4)
  })

  it('switches language with links to the same page, marking the current one', () => {
    const $ = page(renderTrackingPage(pageInput('in_transit', 'fr', { pageUrl: `${PAGE_URL}?lang=fr` })))
    const links = $('header nav a')
      .map((_, link) => ({
        href: $(link).attr('href'),
        lang: $(link).attr('lang'),
        current: $(link).attr('aria-current') ?? null,
        text: $(link).text(),
      }))
      .get()
    expect(links).toEqual([
      { href: `${PAGE_URL}?lang=fr`, lang: 'fr', current: 'true', text: 'Français' },
      { href: `${PAGE_URL}?lang=en`, lang: 'en', current: null, text: 'English' },
    ])
  })

  it('walks the steps of a home delivery and of a pickup point, the current one marked', () => {
    const steps = ($: CheerioAPI) =>
      $('.steps li')
        .map((_, step) => `${$(step).attr('class')}${$(step).attr('aria-current') ? '*' : ''}`)
        .get()
    const out = page(renderTrackingPage(pageInput('out_for_delivery', 'fr')))
    expect(textOf(out, '.steps')).toBe(
      'Étape franchie : Annoncé Étape franchie : En route En cours de livraison Livré',
    )
    expect(steps(out)).toEqual(['done', 'done', 'current*', 'upcoming'])
    const pickup = page(renderTrackingPage(pageInput('available_for_pickup', 'en')))
    expect(pickup('.steps li').last().text()).toBe('Collected')
    expect(steps(pickup)).toEqual(['done', 'done', 'current*', 'upcoming'])
    expect(steps(page(renderTrackingPage(pageInput('delivered', 'en'))))).toEqual([
      'done',
      'done',
      'done',
      'done*',
    ])
    expect(steps(page(renderTrackingPage(pageInput('exception', 'en'))))).toEqual([
      'done',
      'current*',
      'upcoming',
      'upcoming',
    ])
    // A parcel on its way back will not reach the shopper: no progress to show.
    expect(page(renderTrackingPage(pageInput('returned', 'fr')))('.steps')).toHaveLength(0)
  })

  it('shows the pickup point, its place and the last day to collect', () => {
    const $ = page(renderTrackingPage(pageInput('available_for_pickup', 'fr')))
    expect(textOf($, 'section[aria-labelledby="pickup-heading"] dl')).toBe(
      'Point de retrait Tabac du Port Lieu 33300 Bordeaux Dernier jour pour le retirer samedi 19 décembre',
    )
    expect($('section[aria-labelledby="pickup-heading"] time').attr('datetime')).toBe('2026-12-19')
  })

  it('asks to collect soon when the last day is not known yet', () => {
    const input = pageInput('available_for_pickup', 'en')
    const record = { ...input.record, alerts: [] }
    const $ = page(renderTrackingPage({ ...input, record }))
    expect(textOf($, '.lead')).toBe('Collect it soon: the pickup point keeps it only a few days.')
    expect(textOf($, 'section[aria-labelledby="pickup-heading"] dl')).toBe(
      'Pickup point Tabac du Port Where 33300 Bordeaux',
    )
  })

  it("gives a delivered parcel's deadlines when it has them, and only then", () => {
    const $ = page(renderTrackingPage(pageInput('delivered', 'fr')))
    expect(textOf($, 'section[aria-labelledby="deadlines-heading"] dl')).toBe(
      [
        "Signaler au transporteur un colis abîmé ou incomplet jusqu'au vendredi 11 décembre",
        "Changer d'avis et renvoyer l'article (rétractation) jusqu'au mardi 22 décembre",
        "Garantie légale de conformité jusqu'au vendredi 8 décembre 2028",
      ].join(' '),
    )
    expect(
      $('section[aria-labelledby="deadlines-heading"] time')
        .map((_, time) => $(time).attr('datetime'))
        .get(),
    ).toEqual([
      SAMPLE_DEADLINES.carrierProtestUntil,
      SAMPLE_DEADLINES.withdrawalUntil,
      SAMPLE_DEADLINES.conformityGuaranteeUntil,
    ])
    const { consumerDeadlines: _, ...withoutDeadlines } = pageInput('delivered', 'fr')
    expect(renderTrackingPage(withoutDeadlines)).not.toContain('deadlines-heading')
    const inTransit = pageInput('in_transit', 'fr', { consumerDeadlines: SAMPLE_DEADLINES })
    expect(renderTrackingPage(inTransit)).not.toContain('deadlines-heading')
  })

  it('reduces carrier wording that names someone to the status, in the timeline and in notices', () => {
    const delivered = page(renderTrackingPage(pageInput('delivered', 'fr')))
    expect(textOf(delivered, '.timeline li:first-child')).toBe('mar. 8 déc., 11 h 05 Livré Bordeaux')
    const input = pageInput('failed_attempt', 'en')
    const events = input.events.map((event) =>
      event.status === 'failed_attempt' ? { ...event, description: 'Absent, code porte 4521B' } : event,
    )
    const failed = page(renderTrackingPage({ ...input, events }))
    expect(textOf(failed, '.notice')).toMatch(/^The carrier could not deliver your parcel\. Next step: /)
    expect(textOf(failed, '.timeline li:first-child')).toBe(
      'Tue 8 Dec, 11:20 am Delivery attempt failed Bordeaux',
    )
  })

  it('says how long the carrier has been silent, and when a parcel was due without a new estimate', () => {
    const input = pageInput('late', 'fr')
    const record = {
      ...input.record,
      estimatedDelivery: undefined,
      alerts: [
        ...input.record.alerts,
        {
          id: 'alr_stalled',
          type: 'stalled' as const,
          openedAt: '2026-12-10T00:00:00+01:00',
          details: { lastEventAt: '2026-12-05T04:55:00+01:00', businessDays: 3 },
        },
      ],
    }
    const $ = page(renderTrackingPage({ ...input, record, nowMs: Date.parse('2026-12-10T09:00:00+01:00') }))
    expect(
      $('.notice')
        .map((_, notice) => $(notice).text())
        .get(),
    ).toEqual([
      'Votre colis a du retard : il était attendu le lundi 7 décembre.',
      'Pas de nouvelles du transporteur depuis le samedi 5 décembre : nous continuons de suivre votre colis.',
    ])
  })

  it('warns of a likely delay with the later estimate', () => {
    const input = pageInput('in_transit', 'en')
    const record = {
      ...input.record,
      estimatedDelivery: '2026-12-11',
      alerts: [
        { id: 'alr_at_risk', type: 'at_risk' as const, openedAt: '2026-12-07T00:00:00+01:00', details: {} },
      ],
    }
    const $ = page(renderTrackingPage({ ...input, record }))
    expect(textOf($, '.notice')).toBe('Your parcel may be late — new estimate: Friday 11 December.')
    expect(textOf($, '.lead')).toBe('')
  })

  it('reads a date-time estimate as its Paris day and leaves out one already past', () => {
    const input = pageInput('in_transit', 'fr')
    const lead = (estimatedDelivery: string) =>
      textOf(page(renderTrackingPage({ ...input, record: { ...input.record, estimatedDelivery } })), '.lead')
    expect(lead('2026-12-08T23:30:00Z')).toBe('Livraison estimée : mercredi 9 décembre')
    expect(lead('2026-12-06')).toBe('Livraison prévue : mercredi 9 décembre')
  })

  it('shows the order id only when the merchant asks', () => {
    expect(renderTrackingPage(pageInput('in_transit', 'fr'))).not.toContain(PRIVATE_FACTS.orderId)
    const $ = page(renderTrackingPage(pageInput('in_transit', 'fr', { showOrderId: true })))
    expect(textOf($, 'section[aria-labelledby="shipment-heading"] dl')).toBe(
      `Transporteur Colissimo Numéro de suivi ${stateRecord('in_transit').record.trackingNumber} Commande ${PRIVATE_FACTS.orderId}`,
    )
  })

  it("links to the carrier's page without a referrer, and only to a web address", () => {
    const $ = page(renderTrackingPage(pageInput('in_transit', 'en')))
    const link = $('section[aria-labelledby="shipment-heading"] a')
    expect(link.attr('rel')).toBe('noreferrer noopener')
    expect(link.text()).toBe('Track the parcel on the Colissimo website')
    for (const carrierTrackingUrl of ['javascript:alert(1)', 'data:text/html,x', 'not a url']) {
      const html = renderTrackingPage(pageInput('in_transit', 'en', { carrierTrackingUrl }))
      expect(page(html)('section[aria-labelledby="shipment-heading"] a')).toHaveLength(0)
    }
  })

  it("takes the merchant's accent and logo only when safe: a hex colour, an image of the page's own origin", () => {
    const branded = (branding: Partial<ReturnType<typeof pageInput>['branding']>) => {
      const input = pageInput('in_transit', 'fr')
      return page(renderTrackingPage({ ...input, branding: { ...input.branding, ...branding } }))
    }
    expect(branded({ accentColor: '#0B6E4F' })('style').text()).toContain('--accent:#0B6E4F}')
    expect(branded({ accentColor: 'red;}body{display:none' })('style').text()).toContain('--accent:#1d4ed8}')
    expect(branded({ logoUrl: `${new URL(PAGE_URL).origin}/branding/shop.png` })('img').attr('src')).toBe(
      'https://colis.example/branding/shop.png',
    )
    for (const logoUrl of ['https://cdn.example/logo.png', '//cdn.example/logo.png', 'javascript:x']) {
      expect(branded({ logoUrl })('img')).toHaveLength(0)
    }
    expect(
      branded({ supportUrl: 'javascript:alert(1)', supportEmail: 'not an address' })('footer'),
    ).toHaveLength(0)
  })

  it('stays under 50 KB with a hundred events, and says how many older ones a longer history leaves out', () => {
    const timeline = (count: number) => {
      const input = pageInput('in_transit', 'fr')
      const startMs = Date.parse('2026-11-01T08:00:00+01:00')
      const events = Array.from({ length: count }, (_, index) =>
        withEventId('laposte', input.record.trackingNumber, {
          occurredAt: new Date(startMs + index * 3_600_000).toISOString(),
          status: 'in_transit',
          code: `ET${index % 7}`,
          description: `Colis en transit sur la plateforme de tri régionale, acheminement vers le site de distribution ${index}`,
          location: {
            name: `Plateforme industrielle courrier colis ${index}`,
            city: 'Saint-Ouen-l’Aumône',
            postalCode: '95310',
          },
        }),
      )
      return renderTrackingPage({ ...input, events, showOrderId: true, consumerDeadlines: SAMPLE_DEADLINES })
    }
    const hundred = timeline(100)
    expect(page(hundred)('.timeline li')).toHaveLength(100)
    expect(Buffer.byteLength(hundred)).toBeLessThan(50_000)
    const longer = timeline(MAX_TIMELINE_ROWS + 150)
    expect(page(longer)('.timeline li')).toHaveLength(MAX_TIMELINE_ROWS)
    expect(textOf(page(longer), '.timeline + p')).toBe('150 événements plus anciens ne sont pas affichés.')
    expect(Buffer.byteLength(longer)).toBeLessThan(50_000)
  })

  it('escapes every carrier and merchant string: no markup, every attribute quoted', () => {
    const hostile = fc.constantFrom(
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      "' onmouseover='alert(1)",
      '</style><script>x</script>',
      '<!-- ',
      ']]><svg onload=alert(1)>',
      '&lt;b&gt;',
      '{{7*7}}',
    )
    const text = fc.oneof(
      anyText(60),
      hostile,
      fc.tuple(anyText(20), hostile, anyText(20)).map((parts) => parts.join('')),
    )
    const event = fc.record({
      occurredAt: fc
        .integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-12-31') })
        .map((ms) => new Date(ms).toISOString()),
      status: fc.constantFrom(...EVENT_STATUSES),
      code: text,
      description: text,
      location: fc.record({ name: text, city: text, postalCode: text }, { requiredKeys: [] }),
      details: fc.dictionary(text, text, { maxKeys: 2 }),
    })
    /** A start tag with only known-safe attribute names, each value double-quoted; or an end tag. */
    const TAG = /<\/?[a-z][a-z0-9]*(?:\s+(?:[a-z-]+)(?:="[^"<>]*")?)*\s*\/?>/g
    const ALLOWED_ATTRIBUTES = new Set([
      'lang',
      'charset',
      'name',
      'content',
      'class',
      'href',
      'hreflang',
      'rel',
      'aria-current',
      'aria-label',
      'aria-labelledby',
      'id',
      'src',
      'alt',
      'datetime',
    ])
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 6 }),
        text,
        text,
        text,
        text,
        fc.constantFrom(...PAGE_STATES),
        fc.boolean(),
        (drafts, merchant, carrier, number, orderId, state, showOrderId) => {
          const input = pageInput(state, 'fr', { carrierName: carrier, showOrderId })
          const events: TrackingEvent[] = drafts.map((draft, index) => ({ id: `evt_${index}`, ...draft }))
          const record = { ...input.record, trackingNumber: number, orderId }
          const html = renderTrackingPage({
            ...input,
            events,
            record,
            branding: { ...input.branding, displayName: merchant },
          })
          const body = html.replace(/^<!DOCTYPE html>/, '').replace(/<style>[^<]*<\/style>/, '')
          expect(body.replace(TAG, '')).not.toMatch(/[<>]/)
          for (const [tag] of body.matchAll(TAG)) {
            for (const [, attribute = ''] of tag.replace(/="[^"]*"/g, '').matchAll(/\s([a-z-]+)/g)) {
              expect(ALLOWED_ATTRIBUTES.has(attribute), attribute).toBe(true)
            }
          }
          const $ = page(html)
          expect($('script, iframe, object, embed, svg, form, input')).toHaveLength(0)
          expect($('style')).toHaveLength(1)
        },
      ),
      { numRuns: propertyRuns(200) },
    )
  })
})
