import { createMemoryTrackingStore } from '../../src/store/memory/memory-tracking-store.js'
import { runAnalyticsStoreContract } from './analytics-store-contract.js'

runAnalyticsStoreContract('memory analytics store', ({ retentionMs }) => {
  const trackings = createMemoryTrackingStore({ analyticsRetentionMs: retentionMs })
  return { trackings, analytics: trackings.analytics }
})
