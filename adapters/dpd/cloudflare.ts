import type { HttpResponse } from '../carrier-http.js'
import { CarrierError } from '../contract.js'

/** Cloudflare's interstitial: "Just a moment..." and its challenge scripts. */
const CHALLENGE_BODY = /<title>\s*just a moment\b|\/cdn-cgi\/challenge-platform\//i

export function isChallengeBody(text: string): boolean {
  return CHALLENGE_BODY.test(text)
}

/** Cloudflare marks a challenge with `cf-mitigated: challenge`, usually on a 403. */
export function isChallengeResponse(response: HttpResponse): boolean {
  return response.headers.get('cf-mitigated')?.toLowerCase() === 'challenge' || isChallengeBody(response.text)
}

/**
 * A bot check stands where DPD's answer should be: nothing is known of the parcel, so it is no "not
 * found" and no empty history, only a source that did not answer this time.
 */
export function challengeError(host: string): CarrierError {
  return new CarrierError(
    'unavailable',
    `${host} answered a Cloudflare bot challenge instead of the tracking data; the public page is ` +
      'best-effort (DPD France contract customers can set DPD_FR_USER and DPD_FR_PASSWORD)',
  )
}
