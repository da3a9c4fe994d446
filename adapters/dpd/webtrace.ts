import { load } from 'cheerio'
import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError, type CarrierErrorKind } from '../contract.js'
import { childrenNamed, childText, eachElement, isNil, named, type XmlElements } from '../xml-elements.js'
import { challengeError, isChallengeResponse } from './cloudflare.js'
import { DPD_SOAP_TRACE_SCHEMA, type DpdAnswer, type DpdRawEvent } from './raw-schema.js'

export interface WebtraceCredentials {
  userId: string
  password: string
  /** The `Customer` block (depot and customer number), when DPD France asks for it. */
  customer?: { centerNumber: number; number: number }
}

export interface WebtraceOptions {
  http: CarrierHttp
  /** The `Webtrace_Service.asmx` endpoint. */
  baseUrl: string
  credentials: WebtraceCredentials
}

const NAMESPACE = 'http://www.cargonet.software/'
const SOAP_ACTION = `"${NAMESPACE}GetShipmentTrace"`
/** DPD France documents no quota and no `Retry-After`. */
export const DPD_DEFAULT_RETRY_AFTER_MS = 1000

/**
 * Error ids DPD France's documentation names (`IpPermissionDenied`: the caller's address is not on the
 * contract's list). Our own setup is refused, so the carrier stops until an operator acts.
 */
const ERROR_KIND_BY_ERROR_ID = { IpPermissionDenied: 'unauthorized' } as const satisfies Record<
  string,
  CarrierErrorKind
>
const ERROR_ID = new RegExp(`\\b(${Object.keys(ERROR_KIND_BY_ERROR_ID).join('|')})\\b`)
/** Assumed: no fault text for refused credentials is published; these words say it in any wording. */
const CREDENTIALS_REFUSED =
  /\b(invalid|wrong|bad|unknown|incorrect)\b.{0,30}\b(user ?id|user|password|credentials?|login)\b|\bauthenticat|\bunauthori[sz]ed\b/i

const SOAP_ENVELOPE_END = /<\/(?:[\w.-]+:)?Envelope\s*>\s*$/
const ERROR_DOCUMENT_END = /<\/Error\s*>\s*$/

/** Webtrace_Service `GetShipmentTrace`, one parcel per call, credentials in the SOAP header. */
export function createWebtraceSource(options: WebtraceOptions) {
  return {
    async fetchAnswers(parcelNumber: string, signal?: AbortSignal): Promise<DpdAnswer[]> {
      const request = {
        method: 'POST' as const,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: SOAP_ACTION },
        body: buildGetShipmentTraceEnvelope(options.credentials, parcelNumber),
      }
      const response = await options.http.request(options.baseUrl, request, signal)
      try {
        return readResponse(response).map((answer) =>
          'error' in answer
            ? { ...answer, error: hideCredentials(answer.error, options.credentials) }
            : answer,
        )
      } catch (error) {
        throw error instanceof CarrierError ? hideCredentials(error, options.credentials) : error
      }
    },
  }
}

/**
 * A fault may echo the request, credentials included, and its text becomes the tracking's `lastError`,
 * which merchants read: the credentials are blanked out of it.
 */
function hideCredentials(error: CarrierError, credentials: WebtraceCredentials): CarrierError {
  const secrets = [credentials.password, credentials.userId].filter((secret) => secret !== '')
  if (!secrets.some((secret) => error.message.includes(secret))) return error
  const message = secrets.reduce((text, secret) => text.split(secret).join('[REDACTED]'), error.message)
  return new CarrierError(error.kind, message, { retryAfterMs: error.retryAfterMs })
}

/**
 * The `GetShipmentTrace` SOAP 1.1 request (Webtrace_Service.xsd: every child qualified, the nillable
 * flags required). `Language` is `FR`: the wording patterns are French.
 */
export function buildGetShipmentTraceEnvelope(
  credentials: WebtraceCredentials,
  parcelNumber: string,
): string {
  const { customer } = credentials
  const customerXml = customer
    ? `<c:Customer><c:centernumber>${customer.centerNumber}</c:centernumber>` +
      `<c:number>${customer.number}</c:number><c:countrycode>250</c:countrycode></c:Customer>`
    : ''
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:c="${NAMESPACE}">` +
    `<soap:Header><c:UserCredentials><c:userid>${escapeXml(credentials.userId)}</c:userid>` +
    `<c:password>${escapeXml(credentials.password)}</c:password></c:UserCredentials></soap:Header>` +
    `<soap:Body><c:GetShipmentTrace><c:request>${customerXml}<c:Language>FR</c:Language>` +
    `<c:ShipmentNumber>${escapeXml(parcelNumber)}</c:ShipmentNumber>` +
    '<c:ExpandContainerMode xsi:nil="true"/><c:GetImages>false</c:GetImages>' +
    '<c:GetPhotos xsi:nil="true"/><c:GetParsedInfo xsi:nil="true"/><c:GetServices xsi:nil="true"/>' +
    '</c:request></c:GetShipmentTrace></soap:Body></soap:Envelope>'
  )
}

function readResponse(response: HttpResponse): DpdAnswer[] {
  const { status } = response
  if (isChallengeResponse(response)) throw challengeError('webtrace.dpd.fr')
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after')) ?? DPD_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'DPD France asks to slow down', { retryAfterMs })
  }
  // SOAP 1.1 sends a Fault with HTTP 500: the fault says whose side failed.
  const fault = status === 200 ? undefined : readFaultQuietly(response.text)
  if (fault) throw fault
  if (status === 200) return readWebtraceAnswers(response.text)
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `DPD France refused our credentials (HTTP ${status})`)
  }
  if (status >= 500) throw new CarrierError('unavailable', `DPD France answered HTTP ${status}`)
  throw new CarrierError('unexpected_response', `DPD France answered HTTP ${status}`)
}

/** Whether `text` is one of the Webtrace_Service's XML answers rather than a page. */
export function isWebtraceXml(text: string): boolean {
  return /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w.-]+:)?(?:Envelope|Error)[\s/>]/.test(text)
}

/**
 * Reads a `GetShipmentTrace` answer whatever its namespace prefixes: one entry per `ShipmentTrace`, a
 * request-wide error (SOAP Fault, `<Error>` document, no shipment at all) as the only entry. Throws
 * `unexpected_response` for anything that is not a complete answer.
 */
export function readWebtraceAnswers(text: string): DpdAnswer[] {
  if (/^\s*(?:<\?xml[^>]*\?>\s*)?<Error[\s>]/.test(text)) return [{ error: readErrorDocument(text) }]
  const body = readSoapBody(text)
  const fault = readFault(body)
  if (fault) return [{ error: fault }]
  const response = childrenNamed(body, 'GetShipmentTraceResponse')
  if (response.length !== 1) throw offFormat('holds no GetShipmentTraceResponse')
  const result = childrenNamed(response, 'GetShipmentTraceResult')
  const listed = childrenNamed(result, 'ShipmentTrace')
  // The XSD lists `ShipmentTrace` elements; karrio's fixture puts one shipment's fields in the result.
  const bare = listed.length === 0 && childrenNamed(result, 'Traces').length > 0
  const shipments = bare ? [result] : eachElement(listed).filter((shipment) => !isNil(shipment))
  const answers = shipments.map(readShipment)
  // An empty result is how the service answers for a parcel it has not scanned (assumed, not documented).
  return answers.length > 0 ? answers : [{ error: notFound() }]
}

function readShipment(shipment: XmlElements): DpdAnswer {
  const trackingNumber = childText(shipment, 'ShipmentNumber')?.trim() || undefined
  const traces = eachElement(childrenNamed(childrenNamed(shipment, 'Traces'), 'clsTrace'))
  const events: DpdRawEvent[] = []
  for (const trace of traces.filter((element) => !isNil(element))) {
    const relais = childrenNamed(trace, 'RelaisInfo')
    const parsed = DPD_SOAP_TRACE_SCHEMA.safeParse({
      ScanDate: childText(trace, 'ScanDate'),
      ScanTime: childText(trace, 'ScanTime'),
      StatusNumber: childText(trace, 'StatusNumber'),
      StatusDescription: childText(trace, 'StatusDescription'),
      CenterName: childText(trace, 'CenterName'),
      CenterNumber: childText(trace, 'CenterNumber'),
      RelaisId: childText(relais, 'ID'),
      RelaisName: childText(relais, 'Name'),
    })
    if (!parsed.success) return { trackingNumber, error: offFormat('clsTrace is off-schema', parsed.error) }
    const fields = parsed.data
    events.push({
      statusNumber: fields.StatusNumber,
      description: fields.StatusDescription ?? '',
      date: fields.ScanDate,
      ...(fields.ScanTime ? { time: fields.ScanTime } : {}),
      ...(fields.CenterName ? { place: fields.CenterName } : {}),
      ...(fields.CenterNumber ? { centerNumber: fields.CenterNumber } : {}),
      ...(fields.RelaisId || fields.RelaisName
        ? { pickupPoint: { id: fields.RelaisId, name: fields.RelaisName } }
        : {}),
    })
  }
  if (events.length === 0) return { trackingNumber, error: notFound() }
  const estimatedDelivery = childText(childrenNamed(shipment, 'DeliveryScheduled'), 'StartDate')?.trim()
  return { trackingNumber, events, ...(estimatedDelivery ? { estimatedDelivery } : {}) }
}

function readSoapBody(text: string): XmlElements {
  // htmlparser2 closes whatever is left open: a body cut short would otherwise read as a shorter history.
  if (!SOAP_ENVELOPE_END.test(text)) throw offFormat('is not a complete SOAP envelope')
  const roots = load(text, { xml: true }).root().children()
  if (roots.length !== 1 || named(roots, 'Envelope').length !== 1) throw offFormat('is not a SOAP envelope')
  const body = childrenNamed(roots, 'Body')
  if (body.length !== 1) throw offFormat('has no SOAP Body')
  return body
}

/** karrio's rendering of a Webtrace_Service error: `<Error><ErrorId/><ErrorMessage/></Error>`. */
function readErrorDocument(text: string): CarrierError {
  if (!ERROR_DOCUMENT_END.test(text)) throw offFormat('is not a complete Error document')
  const root = load(text, { xml: true }).root().children()
  const errors = named(root, 'Error')
  if (root.length !== 1 || errors.length !== 1) throw offFormat('is not an Error document')
  return errorOf(childText(errors, 'ErrorId') ?? '', childText(errors, 'ErrorMessage') ?? '', undefined)
}

function readFault(body: XmlElements): CarrierError | undefined {
  const fault = childrenNamed(body, 'Fault')
  if (fault.length === 0) return undefined
  const faultcode = childText(fault, 'faultcode')?.trim() ?? ''
  const faultstring = childText(fault, 'faultstring')?.trim() ?? ''
  const detail = childrenNamed(fault, 'detail').text()
  return errorOf(`${faultcode} ${detail}`, faultstring, faultcode)
}

/**
 * A documented error id wins; then refused credentials; then, as for any SOAP service, a `Client`
 * fault means the service no longer takes the request colis builds (`unexpected_response`, never an
 * invalid number that would stop the parcel for good), and anything else is the service failing.
 */
function errorOf(idText: string, message: string, faultcode: string | undefined): CarrierError {
  const id = ERROR_ID.exec(`${idText} ${message}`)?.[1] as keyof typeof ERROR_KIND_BY_ERROR_ID | undefined
  const said = `DPD France ${faultcode === undefined ? 'error' : 'SOAP fault'} ${id ?? (faultcode || idText.trim() || '?')}: ${message.slice(0, 200) || 'no message'}`
  if (id) {
    return new CarrierError(
      ERROR_KIND_BY_ERROR_ID[id],
      `${said} (DPD France must allow this server's address for Webtrace_Service)`,
    )
  }
  if (CREDENTIALS_REFUSED.test(message)) return new CarrierError('unauthorized', said)
  const faultClass = faultcode?.slice(faultcode.indexOf(':') + 1).split('.')[0]
  if (faultcode === undefined || faultClass === 'Client') return new CarrierError('unexpected_response', said)
  return new CarrierError('unavailable', said)
}

function readFaultQuietly(text: string): CarrierError | undefined {
  try {
    return readFault(readSoapBody(text))
  } catch {
    return undefined
  }
}

function notFound(): CarrierError {
  return new CarrierError('not_found', 'DPD France has no event for this number yet')
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function offFormat(what: string, cause?: unknown): CarrierError {
  return new CarrierError('unexpected_response', `DPD France answer ${what}`, { cause })
}
