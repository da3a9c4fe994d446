import type { CarrierFacts } from '../contract.js'
import { createDefinitionCarrier } from '../generic/builtin-definition.js'
import definition from './definition.json' with { type: 'json' }
import { checkColisPriveNumber, claimColisPriveNumber, explainColisPriveNumberProblem } from './number.js'

export const COLISPRIVE_CARRIER_ID = 'colisprive'

/**
 * Colis Privé delivers Monday to Saturday. A relay keeps a parcel 8 days, read here as counting the day it
 * arrives (the page gives days, no time, and the shorter reading never warns late): 7 days after it. Its
 * page shows a parcel only to whoever gives the number and the destination postal code: no link to it
 * is given to shoppers, since a link would have to carry the postal code.
 */
export const COLISPRIVE_FACTS = {
  id: COLISPRIVE_CARRIER_ID,
  claimNumber: claimColisPriveNumber,
  explainNumberProblem: explainColisPriveNumberProblem,
  pickupHoldDays: 7,
  deliveryDays: { default: 'ouvrables' },
  requiresDestinationPostalCode: true,
} as const satisfies CarrierFacts

/** Colis Privé's recipient page, read by the generic adapter (docs/carriers/colisprive.md). */
export const COLISPRIVE_CARRIER = createDefinitionCarrier({
  id: COLISPRIVE_CARRIER_ID,
  definition,
  facts: COLISPRIVE_FACTS,
  checkNumber: checkColisPriveNumber,
  settings: (config) => ({
    baseUrl: config.COLISPRIVE_BASE_URL,
    rateLimit: config.COLISPRIVE_RATE_LIMIT,
    timeoutMs: config.COLISPRIVE_TIMEOUT,
  }),
})
