import { createMemoryUnknownCodeStore } from '../../src/store/memory/memory-unknown-code-store.js'
import { runUnknownCodeStoreContract } from './unknown-code-store-contract.js'

runUnknownCodeStoreContract('memory unknown-code store', (limits) => createMemoryUnknownCodeStore(limits))
