import type { CarrierFacts } from '../contract.js'
import { createDefinitionCarrier } from '../generic/builtin-definition.js'
import definition from './definition.json' with { type: 'json' }
import { checkGlsNumber, claimGlsNumber, explainGlsNumberProblem } from './number.js'

export const GLS_CARRIER_ID = 'gls'

/**
 * GLS France delivers Monday to Friday. A ParcelShop keeps a parcel 10 working days (12 calendar days at
 * least): counted here as 10 calendar days after the arrival day, so that the last collection day colis
 * announces is never later than the real one.
 */
export const GLS_FACTS = {
  id: GLS_CARRIER_ID,
  claimNumber: claimGlsNumber,
  explainNumberProblem: explainGlsNumberProblem,
  publicTrackingUrl: (trackingNumber: string) =>
    `https://gls-group.com/FR/fr/suivi-colis?match=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 10,
  deliveryDays: { default: 'ouvres' },
} as const satisfies CarrierFacts

/** GLS's keyless public tracking service, read by the generic adapter (docs/carriers/gls.md). */
export const GLS_CARRIER = createDefinitionCarrier({
  id: GLS_CARRIER_ID,
  definition,
  facts: GLS_FACTS,
  checkNumber: checkGlsNumber,
  settings: (config) => ({
    baseUrl: config.GLS_BASE_URL,
    rateLimit: config.GLS_RATE_LIMIT,
    timeoutMs: config.GLS_TIMEOUT,
  }),
})
