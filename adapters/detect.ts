import { normalizeTrackingNumber } from '../src/domain/tracking-number.js'
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

/** Ranked candidates among this deployment's carriers, each asked for its claim; never a silent guess. */
export function detectCarrier(raw: string, carriers: readonly CarrierAdapter[]): Detection {
  const trackingNumber = normalizeTrackingNumber(raw)
  const candidates: CarrierCandidate[] = []
  const problems = new Set<string>()
  for (const carrier of carriers) {
    const claim = carrier.claimNumber(trackingNumber)
    if (claim && carrier.accepts(trackingNumber)) candidates.push({ carrier: carrier.id, ...claim })
    const problem = carrier.explainNumberProblem?.(trackingNumber)
    if (problem !== undefined) problems.add(problem)
  }
  candidates.sort((a, b) => b.confidence - a.confidence || a.carrier.localeCompare(b.carrier))
  const winner = clearWinner(candidates, problems.size > 0)
  return winner
    ? { trackingNumber, candidates, problems: [...problems], winner: winner.carrier }
    : { trackingNumber, candidates, problems: [...problems] }
}

/**
 * The one carrier to use, when one candidate clearly outranks the others. When a carrier says the
 * number is a broken one of its own shapes (one carrier's number cut short to another's shape), only
 * a near-certain candidate still wins.
 */
function clearWinner(
  candidates: readonly CarrierCandidate[],
  someCarrierSeesAProblem: boolean,
): CarrierCandidate | undefined {
  const [first, second] = candidates
  if (!first || first.confidence < (someCarrierSeesAProblem ? 0.9 : 0.6)) return undefined
  if (second && first.confidence - second.confidence < 0.3) return undefined
  return first
}
