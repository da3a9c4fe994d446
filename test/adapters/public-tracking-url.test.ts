import { afterAll, describe, expect, it } from 'vitest'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'

describe("the carriers' own public tracking pages", () => {
  const carriers = createCarrierRuntime(loadConfig({ NODE_ENV: 'test' }), createSilentLogger())

  afterAll(async () => {
    await carriers.close()
  })

  const pageOf = (carrier: string, trackingNumber: string) =>
    carriers.get(carrier)?.publicTrackingUrl?.(trackingNumber)

  it.each([
    ['laposte', '6A15602676300', 'https://www.laposte.fr/outils/suivre-vos-envois?code=6A15602676300'],
    [
      'chronopost',
      'XY746876977FR',
      'https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT=XY746876977FR',
    ],
    ['dpd', '250082070000001', 'https://trace.dpd.fr/fr/trace/250082070000001'],
    ['mondialrelay', '12345678', 'https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition=12345678'],
    ['ups', '1Z999AA10123456784', 'https://www.ups.com/track?tracknum=1Z999AA10123456784'],
    ['gls', '12345678901', 'https://gls-group.com/FR/fr/suivi-colis?match=12345678901'],
    ['dhl', '1234567890', 'https://www.dhl.com/fr-fr/home/suivi.html?tracking-id=1234567890'],
  ])('links %s %s to %s', (carrier, trackingNumber, url) => {
    expect(pageOf(carrier, trackingNumber)).toBe(url)
  })

  it('encodes the number, whatever it holds', () => {
    expect(pageOf('laposte', 'A&B=C D')).toBe(
      'https://www.laposte.fr/outils/suivre-vos-envois?code=A%26B%3DC%20D',
    )
    expect(pageOf('dpd', '../X?Y')).toBe('https://trace.dpd.fr/fr/trace/..%2FX%3FY')
  })

  it.each([
    ['colisprive', 'its page needs the postal code, which no link may carry'],
    ['relaiscolis', 'its page takes no number in its URL'],
    ['sandbox', 'it has no page'],
  ])('gives no link for %s: %s', (carrier) => {
    expect(carriers.get(carrier)).toBeDefined()
    expect(pageOf(carrier, 'SBXDELIVERED001')).toBeUndefined()
  })
})
