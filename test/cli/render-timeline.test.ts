import { describe, expect, it } from 'vitest'
import { defaultLanguage, LANGUAGES, parseLanguage } from '../../src/cli/language.js'
import { renderTimeline } from '../../src/cli/render-timeline.js'
import { colourEnabled, createPaint } from '../../src/cli/terminal-colour.js'
import { STATUS_LABELS } from '../../src/cli/timeline-text.js'
import { loadConfig } from '../../src/config.js'
import type { CarrierSnapshot } from '../../src/domain/carrier-snapshot.js'
import { EVENT_STATUSES, TRACKING_STATUSES } from '../../src/domain/tracking-status.js'

const ESC = '\x1b['

const snapshot: CarrierSnapshot = {
  carrier: 'laposte',
  trackingNumber: '8K00009775862',
  estimatedDelivery: '2026-07-15',
  events: [
    {
      id: 'evt_1',
      occurredAt: '2026-03-09T09:38:00+01:00',
      status: 'info_received',
      code: 'DR1',
      description: 'Votre colis est annoncé',
    },
    {
      id: 'evt_2',
      // 06:05 UTC in summer is 08:05 in Paris.
      occurredAt: '2026-07-14T06:05:00Z',
      status: 'in_transit',
      code: 'ET1',
      description: 'Colis en transit',
      location: { name: 'Plateforme', city: 'Montréal', postalCode: 'H4T 1A1', countryCode: 'CA' },
    },
    {
      id: 'evt_3',
      occurredAt: '2026-07-15T11:00:00+02:00',
      status: 'unknown',
      code: 'ZZ9',
      description: 'Code inconnu',
    },
  ],
}

const plain = createPaint(false)

describe('renderTimeline', () => {
  it('prints French labels, French dates in Paris time and the place', () => {
    const text = renderTimeline(snapshot, 'in_transit', {
      language: 'fr',
      paint: plain,
      carrierName: 'La Poste',
    })
    const lines = text.split('\n')
    expect(lines[0]).toBe('8K00009775862 · La Poste')
    expect(lines[1]).toBe('Statut : En transit')
    expect(lines[2]).toBe('Livraison estimée : mercredi 15 juillet 2026')
    const window = { from: '2026-07-15T10:00:00+02:00', to: '2026-07-15T10:00:00Z' }
    const booked = renderTimeline({ ...snapshot, estimatedDeliveryWindow: window }, 'in_transit', {
      language: 'fr',
      paint: plain,
    })
    expect(booked.split('\n')[2]).toBe('Livraison estimée : mercredi 15 juillet 2026, 10:00–12:00')
    expect(text).toContain('Historique (heure de Paris)')
    expect(text).toMatch(/lun\. 9 mars 2026.*09:38 +Colis annoncé +Votre colis est annoncé$/m)
    expect(text).toMatch(
      /mar\. 14 juil\. 2026.*08:05 +En transit +Colis en transit — Plateforme, H4T 1A1 Montréal, Canada$/m,
    )
    expect(text).toMatch(/Événement non reconnu +Code inconnu$/m)
    expect(text).not.toContain(ESC)
  })

  it('prints English labels and dates, still in Paris time', () => {
    const text = renderTimeline(snapshot, 'in_transit', { language: 'en', paint: plain })
    const lines = text.split('\n')
    expect(lines[0]).toBe('8K00009775862 · laposte')
    expect(lines[1]).toBe('Status: In transit')
    expect(lines[2]).toMatch(/^Estimated delivery: Wednesday,? 15 July 2026$/)
    expect(text).toContain('History (Paris time)')
    expect(text).toMatch(/Mon, 9 Mar 2026.*09:38 +Label created +Votre colis est annoncé$/m)
    expect(text).toMatch(
      /Tue, 14 Jul 2026.*08:05 +In transit +Colis en transit — Plateforme, H4T 1A1 Montréal, Canada$/m,
    )
  })

  it('aligns the columns', () => {
    const text = renderTimeline(snapshot, 'in_transit', { language: 'en', paint: plain })
    const rows = text.split('\n').filter((line) => line.startsWith('  '))
    const descriptionColumns = rows.map((row, index) =>
      row.indexOf(snapshot.events[index]?.description ?? '\u0000'),
    )
    expect(new Set(descriptionColumns).size).toBe(1)
  })

  it('says when there is no event yet', () => {
    const text = renderTimeline({ ...snapshot, events: [], estimatedDelivery: undefined }, 'pending', {
      language: 'fr',
      paint: plain,
    })
    expect(text).toBe('8K00009775862 · laposte\nStatut : En attente\n\nAucun événement pour le moment.')
  })

  it('colours the status when painting is on', () => {
    const text = renderTimeline(snapshot, 'delivered', { language: 'en', paint: createPaint(true) })
    expect(text).toContain(`${ESC}32mDelivered${ESC}39m`)
    expect(text).toContain(`${ESC}1m8K00009775862${ESC}22m`)
  })
})

describe('status labels', () => {
  const statuses = [...new Set([...TRACKING_STATUSES, ...EVENT_STATUSES])]

  it.each(LANGUAGES)('names every status in %s, each differently', (language) => {
    const labels = statuses.map((status) => STATUS_LABELS[language][status])
    for (const label of labels) expect(label.trim()).not.toBe('')
    expect(new Set(labels).size).toBe(statuses.length)
  })
})

describe('language choice', () => {
  it.each([
    [{ LANG: 'fr_FR.UTF-8' }, 'fr'],
    [{ LANG: 'fr' }, 'fr'],
    [{ LANG: 'en_US.UTF-8' }, 'en'],
    [{ LANG: 'C.UTF-8' }, 'en'],
    [{}, 'en'],
    [{ LC_ALL: 'fr_CA.UTF-8', LANG: 'en_GB.UTF-8' }, 'fr'],
    [{ LC_ALL: 'C', LANG: 'fr_FR.UTF-8' }, 'en'],
  ])('%j → %s', (env, language) => {
    expect(defaultLanguage(loadConfig(env))).toBe(language)
  })

  it('reads --lang values', () => {
    expect(parseLanguage('FR')).toBe('fr')
    expect(parseLanguage('en')).toBe('en')
    expect(parseLanguage('de')).toBeUndefined()
  })
})

describe('colourEnabled', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [false, { FORCE_COLOR: '1' }, true],
    [false, { FORCE_COLOR: '3' }, true],
    [true, { FORCE_COLOR: '0' }, false],
    [true, { FORCE_COLOR: 'false' }, false],
    [false, { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
  ])('on a terminal: %s, env %j → %s', (isTTY, env, enabled) => {
    expect(colourEnabled({ isTTY }, loadConfig(env))).toBe(enabled)
  })
})
