import { createMemoryApiKeyStore } from '../../src/store/memory/memory-api-key-store.js'
import { runApiKeyStoreContract } from './api-key-store-contract.js'

runApiKeyStoreContract('memory API-key store', () => createMemoryApiKeyStore())
