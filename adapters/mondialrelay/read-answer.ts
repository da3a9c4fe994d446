import { load } from 'cheerio'
import { CarrierError } from '../contract.js'
import { MONDIALRELAY_RESULT_SCHEMA, type MondialRelayResult } from './raw-schema.js'

type Elements = ReturnType<ReturnType<typeof load>>

const SLOT_FIELDS = ['Libelle', 'Date', 'Heure', 'Emplacement', 'Relais_Num', 'Relais_Pays'] as const
const SUMMARY_FIELDS = ['Libelle01', 'Relais_Libelle', 'Relais_Num', 'Libelle02'] as const

// Prefixes vary with the SOAP version and the client (soap:, soap12:, none): names are read without them.
const TAG_PREFIX = /<(\/?)[A-Za-z_][\w.-]*:/g
const ENVELOPE_END = /<\/(?:[A-Za-z_][\w.-]*:)?Envelope\s*>\s*$/

/**
 * Reads a `WSI2_TracingColisDetaille` SOAP answer (1.1 or 1.2, whatever its prefixes). Throws the SOAP
 * Fault's error, or `unexpected_response` for anything that is not a complete answer.
 */
export function readMondialRelayAnswer(text: string): MondialRelayResult {
  const { $, body } = readSoapBody(text)
  const fault = body.children('Fault')
  if (fault.length > 0) throw faultError(fault.first())
  const result = body
    .children('WSI2_TracingColisDetailleResponse')
    .children('WSI2_TracingColisDetailleResult')
  if (result.length !== 1) throw offFormat('holds no WSI2_TracingColisDetailleResult')
  const slots = result.children('Tracing').children('ret_WSI2_sub_TracingColisDetaille')
  const parsed = MONDIALRELAY_RESULT_SCHEMA.safeParse({
    STAT: textOf(result, 'STAT'),
    ...Object.fromEntries(SUMMARY_FIELDS.map((field) => [field, textOf(result, field)])),
    slots: slots.toArray().map((slot) => {
      const element = $(slot)
      return Object.fromEntries(SLOT_FIELDS.map((field) => [field, textOf(element, field)]))
    }),
  })
  if (!parsed.success) throw offFormat('is off-schema', parsed.error)
  return parsed.data
}

/** The error of the SOAP Fault a body holds; undefined when the body is no SOAP envelope with a Fault. */
export function readMondialRelayFault(text: string): CarrierError | undefined {
  let body: Elements
  try {
    body = readSoapBody(text).body
  } catch {
    return undefined
  }
  const fault = body.children('Fault')
  return fault.length > 0 ? faultError(fault.first()) : undefined
}

function readSoapBody(text: string): { $: ReturnType<typeof load>; body: Elements } {
  // The XML reader closes whatever is left open: a body cut short would otherwise read as fewer events.
  if (!ENVELOPE_END.test(text)) throw offFormat('is not a complete SOAP envelope')
  const $ = load(text.replace(TAG_PREFIX, '<$1'), { xml: true })
  const envelope = $.root().children()
  if (envelope.length !== 1 || !envelope.is('Envelope')) throw offFormat('is not a SOAP envelope')
  const body = envelope.children('Body')
  if (body.length !== 1) throw offFormat('has no SOAP Body')
  return { $, body }
}

function textOf(parent: Elements, name: string): string | undefined {
  const found = parent.children(name)
  return found.length > 0 ? found.first().text() : undefined
}

/**
 * A fault of the client's side (SOAP 1.1 `Client`, 1.2 `Sender`) says the request colis built was
 * refused: the service no longer takes what colis sends. Any other fault is the service failing.
 */
function faultError(fault: Elements): CarrierError {
  const code = (textOf(fault, 'faultcode') ?? fault.children('Code').children('Value').first().text()).trim()
  const reason = textOf(fault, 'faultstring') ?? fault.children('Reason').children('Text').first().text()
  const local = code.slice(code.indexOf(':') + 1)
  const ours = local.startsWith('Client') || local.startsWith('Sender')
  return new CarrierError(
    ours ? 'unexpected_response' : 'unavailable',
    `Mondial Relay SOAP fault ${code || '?'}: ${reason.trim() || 'no reason given'}`,
  )
}

function offFormat(what: string, cause?: unknown): CarrierError {
  return new CarrierError('unexpected_response', `Mondial Relay answer ${what}`, { cause })
}
