import { CarrierError, type CarrierErrorKind, normalizeTrackingNumber } from '../contract.js'
import {
  UPS_ERROR_ENVELOPE_SCHEMA,
  UPS_PACKAGE_ID_SCHEMA,
  UPS_PACKAGE_SCHEMA,
  UPS_TRACK_RESPONSE_SCHEMA,
  type UpsPackage,
  type UpsShipment,
} from './raw-schema.js'

/** One package of a Track API answer (or a shipment's own error), with the numbers it is for. */
export type UpsAnswer = { trackingNumber?: string; inquiryNumber?: string } & (
  | { pkg: UpsPackage }
  | { error: CarrierError }
)

/** A Track API body: its packages, or the `Response` envelope's error. */
export type UpsBody = { answers: UpsAnswer[] } | { error: CarrierError; code: string }

/**
 * `response.errors[].code` values UPS documents or that public clients show. The envelope's message is
 * never copied: the OAuth endpoint echoes the client id in it.
 */
export const UPS_ERROR_KIND_BY_CODE: Readonly<Record<string, CarrierErrorKind>> = {
  TV1002: 'invalid_number',
  TJ001: 'not_found',
  TW0001: 'not_found',
  '250003': 'unauthorized',
  '10401': 'unauthorized',
}

const NOT_FOUND_WARNING = 'TW0001'

/** Reads a Track API body; throws `unexpected_response` for anything that is neither format. */
export function readUpsBody(text: string): UpsBody {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (error) {
    throw offFormat('is not JSON', error)
  }
  if (typeof body === 'object' && body !== null && 'trackResponse' in body) {
    const parsed = UPS_TRACK_RESPONSE_SCHEMA.safeParse(body)
    if (!parsed.success) throw offFormat('trackResponse is off-schema', parsed.error)
    return { answers: parsed.data.trackResponse.shipment.flatMap(readShipment) }
  }
  const envelope = UPS_ERROR_ENVELOPE_SCHEMA.safeParse(body)
  if (!envelope.success) throw offFormat('is no Track API answer')
  const code = envelope.data.response.errors[0]?.code ?? ''
  return { code, error: errorOfCode(code) ?? new CarrierError('unexpected_response', `UPS error ${code}`) }
}

/** The error UPS's `code` stands for; undefined for a code colis does not know. */
export function errorOfCode(code: string): CarrierError | undefined {
  const kind = Object.hasOwn(UPS_ERROR_KIND_BY_CODE, code) ? UPS_ERROR_KIND_BY_CODE[code] : undefined
  return kind ? new CarrierError(kind, `UPS error ${code}`) : undefined
}

function readShipment(shipment: UpsShipment): UpsAnswer[] {
  const { inquiryNumber } = shipment
  const packages = shipment.package ?? []
  if (packages.length === 0) return [{ inquiryNumber, error: errorOfWarnings(shipment) }]
  return packages.map((raw) => {
    const parsed = UPS_PACKAGE_SCHEMA.safeParse(raw)
    if (parsed.success) return { inquiryNumber, trackingNumber: parsed.data.trackingNumber, pkg: parsed.data }
    const id = UPS_PACKAGE_ID_SCHEMA.safeParse(raw)
    return {
      inquiryNumber,
      trackingNumber: id.success ? id.data.trackingNumber : undefined,
      error: offFormat('package is off-schema', parsed.error),
    }
  })
}

/**
 * A shipment without package: `TW0001` is UPS's "Tracking Information Not Found" (not scanned yet, or
 * rolled off after 120 days); another warning is taken as passing, and asked again.
 */
function errorOfWarnings(shipment: UpsShipment): CarrierError {
  const codes = (shipment.warnings ?? []).map((warning) => warning.code ?? '?')
  if (codes.includes(NOT_FOUND_WARNING))
    return new CarrierError('not_found', 'UPS has no tracking information for this number')
  if (codes.length > 0) return new CarrierError('unavailable', `UPS warning ${codes.join(', ')}`)
  return offFormat('shipment has neither package nor warning')
}

/**
 * The answer for `asked`: the package whose `trackingNumber` is the number asked (a multi-package
 * shipment lists its siblings too); a lone answer is the asked number's whatever it echoes (a
 * single-package answer may leave `trackingNumber` out).
 */
export function selectUpsAnswer(asked: string, answers: readonly UpsAnswer[]): UpsAnswer {
  const own = answers.find(
    (answer) =>
      answer.trackingNumber !== undefined && normalizeTrackingNumber(answer.trackingNumber) === asked,
  )
  if (own) return own
  const [lone] = answers
  if (lone && answers.length === 1) return lone
  return { error: offFormat(`lists ${answers.length} packages, none of them the number asked`) }
}

function offFormat(what: string, cause?: unknown): CarrierError {
  return new CarrierError('unexpected_response', `UPS answer ${what}`, { cause })
}
