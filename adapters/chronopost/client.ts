import { load } from 'cheerio'
import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError, type CarrierErrorKind } from '../contract.js'
import {
  childrenNamed,
  childText,
  eachElement,
  isNil,
  localName,
  named,
  type XmlElements,
} from '../xml-elements.js'
import {
  CHRONOPOST_FAULT_SCHEMA,
  CHRONOPOST_RESULT_SCHEMA,
  type ChronopostEvent,
  type ChronopostResult,
} from './raw-schema.js'

export interface ChronopostClientOptions {
  http: CarrierHttp
  /** The SOAP endpoint, e.g. `https://ws.chronopost.fr/tracking-cxf/TrackingServiceWS`. */
  baseUrl: string
  /** `fr_FR`, `en_GB`…: the language of event labels. */
  language: string
}

/** What Chronopost said about one skybill: its events (at least one), or that skybill's own error. */
export type ChronopostAnswer = { skybillNumber?: string } & (
  | { events: ChronopostEvent[] }
  | { error: CarrierError }
)

export interface ChronopostClient {
  /** One `trackSkybillV2` call; throws request-wide errors (HTTP, SOAP Fault, off-format body). */
  fetchAnswer(skybillNumber: string, signal?: AbortSignal): Promise<ChronopostAnswer>
}

/** Chronopost documents no quota and no `Retry-After`: wait a second when told to slow down. */
export const CHRONOPOST_DEFAULT_RETRY_AFTER_MS = 1000

// No official errorCode table exists. 1 "System Error" is the service failing on its own
// side and says nothing about the number: retry later. Any other code is undocumented: count and alert.
const ERROR_KIND_BY_ERROR_CODE = new Map<number, CarrierErrorKind>([[1, 'unavailable']])

const SOAP_ENVELOPE_END = /<\/(?:[\w.-]+:)?Envelope\s*>\s*$/

export function createChronopostClient(options: ChronopostClientOptions): ChronopostClient {
  return {
    async fetchAnswer(skybillNumber, signal) {
      const request = {
        method: 'POST' as const,
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: '""' },
        body: buildTrackSkybillV2Envelope(options.language, skybillNumber),
      }
      return readResponse(await options.http.request(options.baseUrl, request, signal))
    },
  }
}

/** The trackSkybillV2 SOAP 1.1 request; the operation's children are unqualified (XSD). */
export function buildTrackSkybillV2Envelope(language: string, skybillNumber: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:cxf="http://cxf.tracking.soap.chronopost.fr/"><soapenv:Body><cxf:trackSkybillV2>' +
    `<language>${escapeXml(language)}</language><skybillNumber>${escapeXml(skybillNumber)}</skybillNumber>` +
    '</cxf:trackSkybillV2></soapenv:Body></soapenv:Envelope>'
  )
}

function readResponse(response: HttpResponse): ChronopostAnswer {
  const { status, text } = response
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `Chronopost refused the request (HTTP ${status})`)
  }
  if (status === 429) {
    const retryAfterMs =
      parseRetryAfterMs(response.headers.get('retry-after')) ?? CHRONOPOST_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'Chronopost asks to slow down', { retryAfterMs })
  }
  if (status === 200) return readChronopostAnswer(text)
  // SOAP 1.1 §6.2 sends a Fault with HTTP 500: the fault itself says whose side failed.
  const fault = readFaultQuietly(text)
  if (fault) throw fault
  if (status >= 500) throw new CarrierError('unavailable', `Chronopost answered HTTP ${status}`)
  throw new CarrierError('unexpected_response', `Chronopost answered HTTP ${status}`)
}

/**
 * Reads a `trackSkybillV2` SOAP answer whatever its namespace prefixes. Throws the
 * SOAP Fault's error, or `unexpected_response` for anything that is not a complete answer.
 */
export function readChronopostAnswer(text: string): ChronopostAnswer {
  const body = readSoapBody(text)
  const fault = readFault(body)
  if (fault) throw fault
  const result = childrenNamed(childrenNamed(body, 'trackSkybillV2Response'), 'return')
  if (result.length !== 1) throw offFormat('holds no trackSkybillV2Response')
  const parsed = CHRONOPOST_RESULT_SCHEMA.safeParse(extractResult(result))
  if (!parsed.success) throw offFormat('trackSkybillV2 result is off-schema', parsed.error)
  return toAnswer(parsed.data)
}

function toAnswer({ errorCode, errorMessage, events, skybillNumber }: ChronopostResult): ChronopostAnswer {
  if (errorCode !== 0) {
    const kind = ERROR_KIND_BY_ERROR_CODE.get(errorCode) ?? 'unexpected_response'
    const message = `Chronopost errorCode ${errorCode}: ${errorMessage ?? 'no errorMessage'}`
    return { skybillNumber, error: new CarrierError(kind, message) }
  }
  // An answer without events is how Chronopost says it has not scanned the skybill.
  if (events.length === 0) {
    return {
      skybillNumber,
      error: new CarrierError('not_found', 'Chronopost has no event for this number yet'),
    }
  }
  return { skybillNumber, events }
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

/**
 * A server-side fault is `unavailable`. `Client` (SOAP 1.1 §4.4.1) says our request was malformed: it is
 * built here from a checked number, so the service no longer takes what we send — not an invalid number,
 * which would stop tracking every parcel for good.
 */
function readFault(body: XmlElements): CarrierError | undefined {
  const fault = childrenNamed(body, 'Fault')
  if (fault.length === 0) return undefined
  const { faultcode, faultstring } = CHRONOPOST_FAULT_SCHEMA.parse({
    faultcode: childText(fault, 'faultcode'),
    faultstring: childText(fault, 'faultstring'),
  })
  const faultClass = localName(faultcode ?? '').split('.')[0]
  const kind = faultClass === 'Client' ? 'unexpected_response' : 'unavailable'
  return new CarrierError(
    kind,
    `Chronopost SOAP fault ${faultcode ?? '?'}: ${faultstring ?? 'no faultstring'}`,
  )
}

function readFaultQuietly(text: string): CarrierError | undefined {
  try {
    return readFault(readSoapBody(text))
  } catch {
    return undefined
  }
}

function extractResult(result: XmlElements) {
  const list = childrenNamed(result, 'listEventInfoComp')
  // `events` is nillable in the XSD: `<events xsi:nil="true"/>` is no event.
  const listed = childrenNamed(list, 'events')
  const events = listed.filter((index) => !isNil(listed.eq(index)))
  return {
    errorCode: childText(result, 'errorCode'),
    errorMessage: childText(result, 'errorMessage'),
    events: eachElement(events).map((event) => ({
      code: childText(event, 'code'),
      eventDate: childText(event, 'eventDate'),
      eventLabel: childText(event, 'eventLabel'),
      officeLabel: childText(event, 'officeLabel'),
      zipCode: childText(event, 'zipCode'),
      infoCompList: eachElement(childrenNamed(event, 'infoCompList')).map((info) => ({
        name: childText(info, 'name'),
        value: childText(info, 'value'),
      })),
    })),
    skybillNumber: childText(list, 'skybillNumber'),
  }
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

function offFormat(what: string, cause?: unknown): CarrierError {
  return new CarrierError('unexpected_response', `Chronopost answer ${what}`, { cause })
}
