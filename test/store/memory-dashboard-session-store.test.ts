import { createMemoryDashboardSessionStore } from '../../src/store/memory/memory-dashboard-session-store.js'
import { runDashboardSessionStoreContract } from './dashboard-session-store-contract.js'

runDashboardSessionStoreContract('memory dashboard-session store', () => {
  let nowMs = Date.parse('2026-12-06T09:00:00Z')
  return {
    store: createMemoryDashboardSessionStore({ now: () => nowMs }),
    elapse: async (ms) => {
      nowMs += ms
    },
  }
})
