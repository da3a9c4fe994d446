import { createMemoryCarrierHealthStore } from '../../src/store/memory/memory-carrier-health-store.js'
import { runCarrierHealthStoreContract } from './carrier-health-store-contract.js'

runCarrierHealthStoreContract('memory carrier-health store', () => createMemoryCarrierHealthStore())
