/** Why a carrier poll did not give a timeline; closed list shared by adapters, workers and the API. */
export const CARRIER_ERROR_KINDS = [
  'not_found',
  'invalid_number',
  'rate_limited',
  'unavailable',
  'unauthorized',
  'unexpected_response',
] as const
export type CarrierErrorKind = (typeof CARRIER_ERROR_KINDS)[number]
