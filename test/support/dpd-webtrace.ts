/**
 * DPD France Webtrace_Service answers built in the layout of Webtrace_Service.xsd
 * (test/fixtures/dpd/Webtrace_Service.xsd). No real answer is public: the `StatusNumber` values are
 * invented (DPD does not publish them) and the wordings are those of the public trace page, which the
 * service is assumed to share.
 */

export interface WebtraceScan {
  statusNumber: string
  description: string
  /** `ScanDate` as sent, e.g. `2026-03-27`. */
  date: string
  /** `ScanTime` as sent, e.g. `14:43:00`. */
  time: string
  center?: string
  centerNumber?: string
  relais?: { id: string; name: string }
}

/** A home delivery through the Le Coudray hub and the La Crau depot, oldest first. */
export const DPD_WEBTRACE_JOURNEY: WebtraceScan[] = [
  {
    statusNumber: '1',
    description: 'Votre colis est pris en charge par DPD France',
    date: '2026-03-27',
    time: '18:02:00',
    center: 'Agence DPD de Roissy (077)',
  },
  {
    statusNumber: '8',
    description: 'Votre colis est en transit dans notre réseau',
    date: '2026-03-28',
    time: '03:14:00',
    center: 'Centre de tri DPD de Le Coudray (175)',
    centerNumber: '175',
  },
  {
    statusNumber: '13',
    description: 'Votre colis est en cours de livraison',
    date: '2026-03-30',
    time: '08:31:00',
    center: 'Agence DPD de La Crau (283)',
    centerNumber: '283',
  },
  {
    statusNumber: '14',
    description: 'Votre colis est livré',
    date: '2026-03-30',
    time: '12:45:00',
    center: 'Agence DPD de La Crau (283)',
    centerNumber: '283',
  },
]

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

export function webtraceTraceXml(scan: WebtraceScan): string {
  const optional = (name: string, value: string | undefined) =>
    value === undefined ? '' : `<${name}>${escapeText(value)}</${name}>`
  const relais = scan.relais
    ? `<RelaisInfo><ID>${scan.relais.id}</ID><Name>${escapeText(scan.relais.name)}</Name></RelaisInfo>`
    : ''
  return (
    `<clsTrace><ScanDate>${scan.date}</ScanDate><ScanTime>${scan.time}</ScanTime>` +
    `<StatusNumber>${scan.statusNumber}</StatusNumber>` +
    `<StatusDescription>${escapeText(scan.description)}</StatusDescription>` +
    `${optional('CenterName', scan.center)}${optional('CenterNumber', scan.centerNumber)}${relais}</clsTrace>`
  )
}

/** A `GetShipmentTraceResponse` around `shipments` (raw `ShipmentTrace` XML). */
export function webtraceEnvelope(shipments: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body>' +
    '<GetShipmentTraceResponse xmlns="http://www.cargonet.software/">' +
    `<GetShipmentTraceResult>${shipments}</GetShipmentTraceResult>` +
    '</GetShipmentTraceResponse></soap:Body></soap:Envelope>'
  )
}

/** One `ShipmentTrace` with `scans` (oldest first, as DPD is assumed to list them) and extra elements. */
export function webtraceShipmentXml(
  shipmentNumber: string,
  scans: readonly WebtraceScan[],
  extra = '',
): string {
  return (
    `<ShipmentTrace><ShipmentNumber>${shipmentNumber}</ShipmentNumber><Weight>1.2</Weight>` +
    `<Traces>${scans.map(webtraceTraceXml).join('')}</Traces>${extra}<IsB2C>true</IsB2C>` +
    '<IsRetour>false</IsRetour></ShipmentTrace>'
  )
}

export function webtraceAnswer(shipmentNumber: string, scans: readonly WebtraceScan[], extra = ''): string {
  return webtraceEnvelope(webtraceShipmentXml(shipmentNumber, scans, extra))
}

/** What the service is assumed to answer for a parcel it has not scanned: an empty result. */
export const WEBTRACE_EMPTY_ANSWER = webtraceEnvelope('')

/** A SOAP 1.1 Fault as an ASMX service sends it (HTTP 500). */
export function webtraceFault(faultcode: string, faultstring: string, detail = ''): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>' +
    `<faultcode>${faultcode}</faultcode><faultstring>${escapeText(faultstring)}</faultstring>` +
    `<detail>${detail}</detail></soap:Fault></soap:Body></soap:Envelope>`
  )
}
