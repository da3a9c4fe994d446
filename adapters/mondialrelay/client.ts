import { createHash } from 'node:crypto'
import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError } from '../contract.js'
import type { MondialRelayResult } from './raw-schema.js'
import { readMondialRelayAnswer, readMondialRelayFault } from './read-answer.js'

/** The merchant's contract: its "code enseigne" and the private key that signs each call. */
export interface MondialRelayCredentials {
  enseigne: string
  privateKey: string
}

export interface MondialRelayClientOptions {
  http: CarrierHttp
  /** The API 1 SOAP endpoint, e.g. `https://api.mondialrelay.com/Web_Services.asmx`. */
  baseUrl: string
  credentials: MondialRelayCredentials
}

export interface MondialRelayClient {
  /** One signed `WSI2_TracingColisDetaille` call; throws request-wide errors (HTTP, SOAP Fault, off-format body). */
  fetchResult(expedition: string, signal?: AbortSignal): Promise<MondialRelayResult>
}

/** Labels are mapped on their wording, and the French ones are the best documented. */
export const MONDIALRELAY_LANGUAGE = 'FR'

const SOAP_ACTION = '"http://www.mondialrelay.fr/webservice/WSI2_TracingColisDetaille"'

/** Mondial Relay documents no quota and no `Retry-After`: wait a second when told to slow down. */
export const MONDIALRELAY_DEFAULT_RETRY_AFTER_MS = 1000

export interface TracingRequest {
  enseigne: string
  expedition: string
  langue: string
}

/**
 * The call's `Security` field: MD5 of the parameters' values in WSDL order followed by the private key,
 * no separator, in upper-case hex. The key itself is never sent.
 */
export function signTracingRequest(request: TracingRequest, privateKey: string): string {
  const signed = `${request.enseigne}${request.expedition}${request.langue}${privateKey}`
  return createHash('md5').update(signed, 'utf8').digest('hex').toUpperCase()
}

/** The SOAP 1.1 request; its children are in the operation's namespace, in WSDL order. */
export function buildTracingEnvelope(request: TracingRequest, security: string): string {
  const field = (name: string, value: string) => `<${name}>${escapeXml(value)}</${name}>`
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    '<WSI2_TracingColisDetaille xmlns="http://www.mondialrelay.fr/webservice/">' +
    field('Enseigne', request.enseigne) +
    field('Expedition', request.expedition) +
    field('Langue', request.langue) +
    field('Security', security) +
    '</WSI2_TracingColisDetaille></soap:Body></soap:Envelope>'
  )
}

export function createMondialRelayClient(options: MondialRelayClientOptions): MondialRelayClient {
  const { enseigne, privateKey } = options.credentials
  return {
    async fetchResult(expedition, signal) {
      const request = { enseigne, expedition, langue: MONDIALRELAY_LANGUAGE }
      const response = await options.http.request(
        options.baseUrl,
        {
          method: 'POST',
          headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: SOAP_ACTION },
          body: buildTracingEnvelope(request, signTracingRequest(request, privateKey)),
        },
        signal,
      )
      return readResponse(response)
    },
  }
}

function readResponse(response: HttpResponse): MondialRelayResult {
  const { status, text } = response
  if (status === 401 || status === 403) {
    throw new CarrierError('unauthorized', `Mondial Relay refused the request (HTTP ${status})`)
  }
  if (status === 429) {
    const retryAfterMs =
      parseRetryAfterMs(response.headers.get('retry-after')) ?? MONDIALRELAY_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', 'Mondial Relay asks to slow down', { retryAfterMs })
  }
  if (status === 200) return readMondialRelayAnswer(text)
  // ASMX answers a SOAP Fault with HTTP 500: the fault itself says whose side failed.
  const fault = readMondialRelayFault(text)
  if (fault) throw fault
  if (status >= 500) throw new CarrierError('unavailable', `Mondial Relay answered HTTP ${status}`)
  throw new CarrierError('unexpected_response', `Mondial Relay answered HTTP ${status}`)
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
