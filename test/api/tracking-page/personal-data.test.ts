import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SANDBOX_PLAYS } from '../../../adapters/sandbox/scenarios.js'
import { isFreeOfPersonalData, shopperSafeText } from '../../../src/api/tracking-page/personal-data.js'
import { propertyRuns } from '../../support/property-runs.js'

/** Carrier wording that names a person, opens a door or locates a home: never shown. */
const PERSONAL = [
  'Remis à M. DUPONT',
  'Remis à Mme Durand',
  'Colis livré, signé par J. MARTIN',
  'Signé par : Dupont',
  'Nom du réceptionnaire : LEROY',
  'Livré - signataire DUPONT',
  'Code porte 1234B',
  "Code d'accès : 4521",
  'Digicode 4521, interphone Martin',
  'Colis remis en main propre à Jeanne',
  'Livré chez le voisin',
  'Colis livré à Jeanne',
  'Livré au 12 rue des Lilas',
  'Déposé bât. B2, étage 3',
  'Contact : 06 12 34 56 78',
  'Avis envoyé à jeanne.martin@example.fr',
  'Delivered to JOHN SMITH',
  'Signed for by SMITH',
  'Left with neighbour at 14',
  'Received by: A. Smith',
  'Delivered, door code 1234',
]

/** Real carrier wording that says nothing about anyone: shown as sent. */
const IMPERSONAL = [
  'Colis remis au destinataire au point de retrait',
  'Colis retiré par le destinataire au point de retrait',
  'Colis pris en charge par le transporteur',
  'Colis remis au transporteur',
  'Colis livré en boîte aux lettres',
  'Colis livré au gardien',
  "Colis livré à l'accueil",
  'Colis livré à 10h30',
  'Destinataire absent : avis de passage déposé',
  'Destinataire informé par SMS ou mail',
  'Colis en cours de livraison par le livreur',
  'Colis mis à disposition au point de retrait',
  'Tri effectué dans l’agence de distribution',
  'Delivered to front door',
  'Delivered to the recipient',
  'Out for delivery',
  'Colis retenu en douane : documents manquants',
]

describe('carrier wording and personal data', () => {
  it.each(PERSONAL)('keeps "%s" off the page', (wording) => {
    expect(isFreeOfPersonalData(wording)).toBe(false)
    expect(shopperSafeText(wording, 140)).toBeUndefined()
  })

  it.each(IMPERSONAL)('shows "%s"', (wording) => {
    expect(isFreeOfPersonalData(wording)).toBe(true)
  })

  it("shows every sandbox scan's wording", () => {
    const labels = Object.values(SANDBOX_PLAYS).flatMap((play) =>
      play.kind === 'journey' ? play.steps.map((step) => step.label) : [],
    )
    expect(labels.filter((label) => !isFreeOfPersonalData(label))).toEqual([])
  })

  it('never lets a handover to a named person through, whatever the name', () => {
    const surname = fc.constantFrom('Dupont', 'Martin', 'Nguyen', 'Da Silva', "O'Brien", 'Ødegaard', 'Müller')
    // Ending in v or w, a generated name is never one of the role words a handover may name.
    const name = fc.oneof(surname, fc.stringMatching(/^[A-Z][a-z]{2,8}[vw]$/))
    const handover = fc.constantFrom(
      (who: string) => `Remis à M. ${who}`,
      (who: string) => `Colis livré à ${who}`,
      (who: string) => `Signé par ${who}`,
      (who: string) => `Delivered to ${who.toUpperCase()}`,
      (who: string) => `Received by ${who}`,
    )
    fc.assert(
      fc.property(name, handover, (who, write) => {
        expect(shopperSafeText(write(who), 140)).toBeUndefined()
      }),
      { numRuns: propertyRuns(200) },
    )
  })

  it('cleans what it shows: control characters gone, spaces collapsed, long wording cut', () => {
    expect(shopperSafeText('  Colis\u0000 trié\n\tà Lyon  ', 140)).toBe('Colis trié à Lyon')
    expect(shopperSafeText('', 140)).toBeUndefined()
    expect(shopperSafeText(undefined, 140)).toBeUndefined()
    const cut = shopperSafeText('Colis en transit '.repeat(20), 40)
    expect(cut).toHaveLength(40)
    expect(cut?.endsWith('…')).toBe(true)
  })
})
