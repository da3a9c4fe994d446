import { type BatchResult, type CarrierAdapter, CarrierError, type TrackQuery } from './contract.js'

/** `track` of a carrier whose API answers lists: a batch of one, its single answer unwrapped. */
export function trackThroughBatch(
  carrierName: string,
  trackBatch: (queries: readonly TrackQuery[], signal?: AbortSignal) => Promise<BatchResult>,
): CarrierAdapter['track'] {
  return async (query, signal) => {
    const result = (await trackBatch([query], signal)).get(query.trackingNumber)
    if (result === undefined) throw new CarrierError('unexpected_response', `${carrierName} sent no answer`)
    if (result instanceof CarrierError) throw result
    return result
  }
}
