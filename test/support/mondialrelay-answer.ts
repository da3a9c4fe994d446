/** One scan of a built Mondial Relay answer: `date` is `dd/mm/yy`, `time` is `HH:MM`. */
export interface MondialRelayScan {
  label: string
  date: string
  time: string
  place?: string
  relayNumber?: string
  relayCountry?: string
}

export interface MondialRelaySummary {
  libelle01?: string
  relayName?: string
  relayNumber?: string
  libelle02?: string
}

/** The service pads `Tracing` to 15 slots. */
const SLOTS = 15

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const element = (name: string, value: string | undefined) =>
  value ? `<${name}>${escapeXml(value)}</${name}>` : `<${name} />`

function slot(scan: MondialRelayScan | undefined): string {
  return (
    '<ret_WSI2_sub_TracingColisDetaille>' +
    element('Libelle', scan?.label) +
    element('Date', scan?.date) +
    element('Heure', scan?.time) +
    element('Emplacement', scan?.place) +
    element('Relais_Num', scan?.relayNumber) +
    element('Relais_Pays', scan?.relayCountry) +
    '</ret_WSI2_sub_TracingColisDetaille>'
  )
}

/**
 * A `WSI2_TracingColisDetaille` SOAP 1.1 answer as the service shapes it: the scans oldest first, then
 * empty slots up to 15; `scans: null` leaves `Tracing` out, as error answers do.
 */
export function mondialRelayAnswer(
  stat: number | string,
  scans: readonly MondialRelayScan[] | null,
  summary: MondialRelaySummary = {},
): string {
  const tracing =
    scans === null
      ? ''
      : `<Tracing>${Array.from({ length: Math.max(SLOTS, scans.length) }, (_, index) => slot(scans[index])).join('')}</Tracing>`
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
    '<soap:Body><WSI2_TracingColisDetailleResponse xmlns="http://www.mondialrelay.fr/webservice/">' +
    '<WSI2_TracingColisDetailleResult>' +
    element('STAT', String(stat)) +
    element('Libelle01', summary.libelle01) +
    element('Relais_Libelle', summary.relayName) +
    element('Relais_Num', summary.relayNumber) +
    element('Libelle02', summary.libelle02) +
    tracing +
    '</WSI2_TracingColisDetailleResult></WSI2_TracingColisDetailleResponse></soap:Body></soap:Envelope>'
  )
}

/** A SOAP 1.1 Fault as ASMX services send it (with HTTP 500). */
export function mondialRelayFault(faultcode: string, faultstring: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `${element('faultcode', faultcode)}${element('faultstring', faultstring)}<detail />` +
    '</soap:Fault></soap:Body></soap:Envelope>'
  )
}
