import { createMemoryMerchantSettingsStore } from '../../src/store/memory/memory-merchant-settings-store.js'
import { runMerchantSettingsStoreContract } from './merchant-settings-store-contract.js'

runMerchantSettingsStoreContract('memory merchant-settings store', () => createMemoryMerchantSettingsStore())
