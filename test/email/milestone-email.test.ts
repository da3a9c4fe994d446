import { describe, expect, it } from 'vitest'
import { SHOPPER_LANGUAGES, SHOPPER_MILESTONES } from '../../src/domain/shopper-milestones.js'
import { buildEmailContext, type EmailContext } from '../../src/email/email-context.js'
import { renderMilestoneEmail } from '../../src/email/milestone-email.js'

const RELAY = { name: 'Tabac du Port', city: 'Nantes', postalCode: '44000' }

function context(overrides: Partial<EmailContext> = {}): EmailContext {
  return {
    lang: 'fr',
    milestone: 'delivered',
    facts: { at: '2026-12-08T10:30:00+01:00', deliveredAt: '2026-12-08T10:30:00+01:00', place: RELAY },
    carrierName: 'La Poste',
    trackingNumber: '6A12345678901',
    branding: { displayName: 'Ma Boutique' },
    trackingPageUrl: 'https://track.example.com/t/abc',
    unsubscribeUrl: 'https://track.example.com/unsubscribe/trk_x.ntf_y.secret',
    ...overrides,
  }
}

describe('milestone e-mails', () => {
  it('gives each milestone a subject of its own, in each language', () => {
    for (const lang of SHOPPER_LANGUAGES) {
      const subjects = SHOPPER_MILESTONES.map(
        (milestone) =>
          renderMilestoneEmail(
            context({
              lang,
              milestone,
              facts: { at: '2026-12-08T10:30:00+01:00', place: RELAY, lastCollectionDay: '2026-12-17' },
            }),
          ).subject,
      )
      expect(new Set(subjects).size).toBe(SHOPPER_MILESTONES.length)
    }
  })

  it('says what happened in the subject, with the pickup point and the last day', () => {
    const fr = renderMilestoneEmail(
      context({
        milestone: 'available_for_pickup',
        facts: { at: 'x', place: RELAY, lastCollectionDay: '2026-12-17' },
      }),
    )
    expect(fr.subject).toBe('Votre colis est disponible au point relais Tabac du Port')
    expect(fr.text).toContain('jusqu’au jeudi 17 décembre inclus')
    expect(fr.text).toContain('44000 Nantes')
    const en = renderMilestoneEmail(context({ lang: 'en' }))
    expect(en.subject).toBe('Your parcel has been delivered')
    expect(en.text).toContain('delivered on Tuesday 8 December at 10:30')
    expect(renderMilestoneEmail(context()).text).toContain('livré le mardi 8 décembre à 10 h 30')
  })

  it('writes a booked window and a new estimate the way people read them', () => {
    const window = { from: '2026-12-08T10:00:00+01:00', to: '2026-12-08T12:00:00+01:00' }
    const out = renderMilestoneEmail(
      context({ milestone: 'out_for_delivery', facts: { at: 'x', estimatedDeliveryWindow: window } }),
    )
    expect(out.text).toContain('mardi 8 décembre, entre 10 h et 12 h')
    const delayed = renderMilestoneEmail(
      context({ milestone: 'delayed', facts: { at: 'x', estimatedDelivery: '2026-12-10' } }),
    )
    expect(delayed.text).toContain('Votre colis a du retard — nouvelle estimation : jeudi 10 décembre.')
  })

  it('has the tracking page, the unsubscribe link, the merchant, and the deadlines once delivered', () => {
    const email = renderMilestoneEmail(
      context({
        consumerDeadlines: {
          withdrawalUntil: '2026-12-22',
          carrierProtestUntil: '2026-12-11',
          conformityGuaranteeUntil: '2028-12-08',
        },
      }),
    )
    for (const part of [email.text, email.html]) {
      expect(part).toContain('https://track.example.com/t/abc')
      expect(part).toContain('https://track.example.com/unsubscribe/trk_x.ntf_y.secret')
      expect(part).toContain('Ma Boutique')
      expect(part).toContain('mardi 22 décembre')
    }
    const plain = renderMilestoneEmail(context({ trackingPageUrl: undefined }))
    expect(plain.html).not.toContain('Suivre mon colis')
  })

  it('escapes carrier and merchant strings in the HTML, and keeps them on one line in the subject', () => {
    const hostile = '<script>alert(1)</script> & "Tabac"\r\nBcc: victim@example.com'
    const email = renderMilestoneEmail(
      context({
        milestone: 'available_for_pickup',
        facts: { at: 'x', place: { name: hostile } },
        branding: {
          displayName: '<b>Shop</b>',
          accentColor: 'red;background:url(x)',
          logoUrl: 'javascript:alert(1)',
        },
      }),
    )
    expect(email.html).not.toContain('<script>')
    expect(email.html).not.toContain('<b>Shop</b>')
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Tabac&quot;')
    expect(email.html).not.toContain('javascript:')
    expect(email.html).not.toContain('url(x)')
    expect(email.subject).not.toMatch(/[\r\n]/)
    expect(email.subject).toContain('Bcc: victim@example.com')
    const failed = renderMilestoneEmail(
      context({ milestone: 'failed_attempt', facts: { at: 'x', carrierWording: '<img src=x onerror=y>' } }),
    )
    expect(failed.html).toContain('&lt;img src=x onerror=y&gt;')
  })

  it('builds its context with the merchant id as the name until branding is given', async () => {
    const input = {
      subscription: {
        id: 'ntf_y',
        trackingId: 'trk_x',
        merchantId: 'shop-a',
        lang: 'en' as const,
        unsubscribeSecret: 'secret',
      },
      delivery: {
        milestone: 'delivered' as const,
        facts: { at: 'x', deliveredAt: '2026-12-08T10:30:00+01:00' },
        carrier: 'laposte',
        trackingNumber: '6A1',
      },
      publicBaseUrl: 'https://track.example.com',
    }
    const bare = await buildEmailContext(input)
    expect(bare).toMatchObject({
      branding: { displayName: 'shop-a' },
      carrierName: 'laposte',
      unsubscribeUrl: 'https://track.example.com/unsubscribe/trk_x.ntf_y.secret',
    })
    expect(bare.trackingPageUrl).toBeUndefined()
    const deadlines = { withdrawalUntil: 'a', carrierProtestUntil: 'b', conformityGuaranteeUntil: 'c' }
    const full = await buildEmailContext(input, {
      branding: async () => ({ displayName: 'Ma Boutique' }),
      trackingPageUrl: async (id) => `https://track.example.com/t/${id}`,
      consumerDeadlines: async (deliveredAt) => (deliveredAt ? deadlines : undefined),
      carrierName: () => 'La Poste',
    })
    expect(full).toMatchObject({
      branding: { displayName: 'Ma Boutique' },
      trackingPageUrl: 'https://track.example.com/t/trk_x',
      consumerDeadlines: deadlines,
      carrierName: 'La Poste',
    })
  })
})
