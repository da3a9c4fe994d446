import type { CarrierFacts } from '../contract.js'
import { createDefinitionCarrier } from '../generic/builtin-definition.js'
import definition from './definition.json' with { type: 'json' }
import { checkDhlNumber, claimDhlNumber, explainDhlNumberProblem } from './number.js'

export const DHL_CARRIER_ID = 'dhl'

/**
 * DHL Paket delivers Monday to Saturday, DHL Express Monday to Friday. A Packstation keeps a parcel 7
 * calendar days counting the day it arrives: 6 days after it.
 */
export const DHL_FACTS = {
  id: DHL_CARRIER_ID,
  claimNumber: claimDhlNumber,
  explainNumberProblem: explainDhlNumberProblem,
  publicTrackingUrl: (trackingNumber: string) =>
    `https://www.dhl.com/fr-fr/home/suivi.html?tracking-id=${encodeURIComponent(trackingNumber)}`,
  pickupHoldDays: 6,
  deliveryDays: { default: 'ouvrables', byService: { express: 'ouvres', 'parcel-de': 'ouvrables' } },
} as const satisfies CarrierFacts

/** DHL Shipment Tracking – Unified, read by the generic adapter (docs/carriers/dhl.md). */
export const DHL_CARRIER = createDefinitionCarrier({
  id: DHL_CARRIER_ID,
  definition,
  facts: DHL_FACTS,
  checkNumber: checkDhlNumber,
  settings: (config) => ({
    baseUrl: config.DHL_BASE_URL,
    rateLimit: config.DHL_RATE_LIMIT,
    timeoutMs: config.DHL_TIMEOUT,
    env: { DHL_API_KEY: config.DHL_API_KEY },
  }),
})
