import { readFile } from 'node:fs/promises'
import { CarrierError, type ParseOptions } from '../../adapters/contract.js'
import { normalizeTrackingNumber } from '../domain/tracking-number.js'
import { createCarriers } from '../main/policies.js'
import { chooseAdapter } from './carrier-choice.js'
import { type CliIo, printJson } from './cli-io.js'
import { defineCommand } from './command.js'
import { toNormalizedItem } from './normalize-output.js'
import { UsageError } from './usage-error.js'

async function readInput(file: string | undefined, io: CliIo): Promise<string> {
  if (file) {
    try {
      return await readFile(file, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
    }
  }
  const chunks: Buffer[] = []
  for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk))
  return Buffer.concat(chunks).toString('utf8')
}

/** `colis normalize`: exit 2 with a one-line reason when the answer cannot be understood. */
export const normalizeCommand = defineCommand({
  name: 'normalize',
  operands: [],
  summary: 'print a saved carrier answer as normalized JSON',
  options: {
    carrier: { type: 'string', value: '<id>', required: true, description: 'the carrier that answered' },
    file: { type: 'string', value: '<file>', description: 'the saved answer (default: stdin)' },
    number: {
      type: 'string',
      value: '<n>',
      description: 'the parcel the answer is about, for answers that do not say (Mondial Relay)',
    },
  },
  async run({ values }, { io, config, logger }) {
    const carriers = createCarriers(config, logger, { env: io.env })
    try {
      const adapter = chooseAdapter(carriers, values.carrier)
      const options: ParseOptions = {}
      if (values.number !== undefined) {
        const check = adapter.checkNumber(normalizeTrackingNumber(values.number))
        if (!check.ok) throw new UsageError(`${values.number}: ${check.reason}`)
        options.trackingNumber = check.trackingNumber
      }
      const items = adapter.parse(await readInput(values.file, io), options)
      const [only] = items
      if (items.length === 1 && only instanceof CarrierError)
        throw new UsageError(`${only.kind}: ${only.message}`)
      printJson(io.stdout, items.length === 1 && only ? toNormalizedItem(only) : items.map(toNormalizedItem))
      return 0
    } finally {
      await carriers.close()
    }
  },
})
