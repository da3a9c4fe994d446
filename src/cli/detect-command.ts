import { createCarriers } from '../main/policies.js'
import { printJson, printLine } from './cli-io.js'
import { defineCommand } from './command.js'

/** `colis detect`: exit 1 when no carrier recognises the number (ambiguous is recognised: exit 0). */
export const detectCommand = defineCommand({
  name: 'detect',
  operands: ['<number>'],
  summary: 'which carriers a number belongs to (check digits)',
  options: { json: { type: 'boolean', description: 'print the candidates as JSON' } },
  async run({ values, operands: [number = ''] }, { io, config, logger }) {
    const carriers = createCarriers(config, logger, { env: io.env })
    const detection = carriers.detect(number)
    await carriers.close()
    const recognised = detection.candidates.length > 0
    if (values.json) {
      printJson(io.stdout, detection)
      return recognised ? 0 : 1
    }
    const lines = [`${detection.trackingNumber}:`]
    for (const candidate of detection.candidates) {
      const mark = candidate.carrier === detection.winner ? '*' : ' '
      lines.push(
        ` ${mark} ${candidate.carrier.padEnd(16)} ${candidate.confidence.toFixed(2)}  ${candidate.reason}`,
      )
    }
    if (!recognised) lines.push('  no carrier of this deployment recognises it')
    for (const problem of detection.problems) lines.push(`  ! ${problem}`)
    if (recognised && !detection.winner) lines.push('  no clear winner: pass --carrier')
    printLine(io.stdout, lines.join('\n'))
    return recognised ? 0 : 1
  },
})
