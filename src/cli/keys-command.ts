import { printJson, printLine } from './cli-io.js'
import { defineCommand } from './command.js'
import { UsageError } from './usage-error.js'

/** `colis keys create`: the key on stdout (alone, or as JSON); on stderr, which Redis it went to. */
export const keysCreateCommand = defineCommand({
  name: 'keys create',
  operands: [],
  summary: 'create an API key and print it once',
  options: {
    merchant: {
      type: 'string',
      value: '<name>',
      required: true,
      description: 'the merchant the key acts for (letters, digits, . - _)',
    },
    json: { type: 'boolean', description: 'print {merchant, key} as JSON' },
  },
  async run({ values }, { io, config, logger }) {
    const merchant = values.merchant ?? ''
    // Loaded here only: commands that need no Redis start faster without these modules.
    const { MERCHANT_PATTERN } = await import('../store/api-key-store.js')
    if (!MERCHANT_PATTERN.test(merchant))
      throw new UsageError(
        'merchant names are 1 to 64 letters, digits, dots, dashes or underscores, and not `all`',
      )
    const { openCommandStores } = await import('../main/command-stores.js')
    const { stores, redis, close } = await openCommandStores(config, logger)
    printLine(io.stderr, `colis: using Redis at ${redis}`)
    try {
      const created = await stores.apiKeys.create(merchant)
      if (values.json) printJson(io.stdout, { merchant: created.merchantId, key: created.key })
      else {
        printLine(io.stdout, created.key)
        printLine(io.stderr, `API key for merchant "${created.merchantId}": shown once, keep it safe.`)
      }
      return 0
    } finally {
      await close()
    }
  },
})
