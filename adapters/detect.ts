import { checkNumberFormat, normalizeTrackingNumber } from '../src/domain/tracking-number.js'
import type { CarrierAdapter } from './contract.js'

export interface CarrierCandidate {
  carrier: string
  /** 0 to 1: how sure the number's shape and check digits make us. */
  confidence: number
  reason: string
}

export interface Detection {
  trackingNumber: string
  /** Best first; empty when no carrier of this deployment recognises the number. */
  candidates: CarrierCandidate[]
  /** Why a recognised shape was still refused (a wrong check digit…). */
  problems: string[]
  /** The carrier to use when one candidate clearly outranks the others; absent otherwise. */
  winner?: string
}

type Claim = Omit<CarrierCandidate, 'carrier'>

/**
 * What the built-in carriers claim for a number, from real check digits (FORMATS.md §3.5). When a
 * number is a carrier's own and La Poste's Suivi v2 can only track it as an aggregator (Chronopost's
 * X… S10 and 14-digit numbers), the carrier itself ranks first.
 */
function builtInClaims(number: string): Record<string, Claim> {
  if (/^SBX[A-Z]+\d{3}$/.test(number)) {
    return { sandbox: { confidence: 1, reason: 'sandbox number (SBX + scenario + 3 digits)' } }
  }
  const format = checkNumberFormat(number)
  if (!format?.valid) return {}
  switch (format.format) {
    case 'laposte13':
      return {
        laposte: {
          confidence: 0.95,
          reason: '13-character La Poste number (Colissimo, Lettre suivie), check digit OK',
        },
      }
    case 's10':
      if (number.startsWith('X')) {
        return {
          chronopost: { confidence: 0.9, reason: 'Chronopost S10 number (X…), check digit OK' },
          laposte: {
            confidence: 0.4,
            reason: 'La Poste Suivi v2 also tracks Chronopost numbers, as an aggregator',
          },
        }
      }
      return number.endsWith('FR')
        ? { laposte: { confidence: 0.95, reason: 'UPU S10 number posted in France (…FR), check digit OK' } }
        : {
            laposte: {
              confidence: 0.8,
              reason: `inbound international S10 number (…${number.slice(-2)}), check digit OK`,
            },
          }
    case 'digits14':
      return {
        chronopost: { confidence: 0.9, reason: '14-digit Chronopost number' },
        laposte: {
          confidence: 0.4,
          reason: 'La Poste Suivi v2 also tracks Chronopost numbers, as an aggregator',
        },
      }
    case 'mod37_36_15':
      return {
        laposte: {
          confidence: 0.9,
          reason: '15-character La Poste number (14 digits + MOD 37,36 character), check OK',
        },
        chronopost: { confidence: 0.4, reason: 'Chronopost numbers may carry the MOD 37,36 character too' },
      }
  }
}

/** A configured pattern is weaker evidence than a check digit. */
const PATTERN_ONLY_CONFIDENCE = 0.6

/** Ranked candidates among this deployment's carriers; never a silent guess. */
export function detectCarrier(raw: string, carriers: readonly CarrierAdapter[]): Detection {
  const trackingNumber = normalizeTrackingNumber(raw)
  const claims = builtInClaims(trackingNumber)
  const candidates: CarrierCandidate[] = []
  for (const carrier of carriers) {
    const claim = claims[carrier.id]
    if (claim && carrier.accepts(trackingNumber)) candidates.push({ carrier: carrier.id, ...claim })
    else if (!(carrier.id in claims) && !isBuiltIn(carrier.id) && carrier.accepts(trackingNumber)) {
      candidates.push({
        carrier: carrier.id,
        confidence: PATTERN_ONLY_CONFIDENCE,
        reason: `matches ${carrier.name}'s number pattern`,
      })
    }
  }
  candidates.sort((a, b) => b.confidence - a.confidence || a.carrier.localeCompare(b.carrier))
  const format = checkNumberFormat(trackingNumber)
  const problems = format && !format.valid ? [format.reason] : []
  const winner = clearWinner(candidates)
  return winner
    ? { trackingNumber, candidates, problems, winner: winner.carrier }
    : { trackingNumber, candidates, problems }
}

const BUILT_INS = new Set(['laposte', 'chronopost', 'sandbox'])
function isBuiltIn(id: string): boolean {
  return BUILT_INS.has(id)
}

/** The one carrier to use, when one candidate clearly outranks the others. */
function clearWinner(candidates: readonly CarrierCandidate[]): CarrierCandidate | undefined {
  const [first, second] = candidates
  if (!first || first.confidence < 0.6) return undefined
  if (second && first.confidence - second.confidence < 0.3) return undefined
  return first
}
