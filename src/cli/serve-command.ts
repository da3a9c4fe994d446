import type { Role } from '../main/service.js'
import { defineCommand } from './command.js'
import { UsageError } from './usage-error.js'

const ROLES = ['all', 'api', 'worker'] as const satisfies readonly Role[]

function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text)
}

/** `colis serve`: resolves once the service listens; signals stop the process (see stopOnSignals). */
export const serveCommand = defineCommand({
  name: 'serve',
  operands: [],
  summary: 'start the API and/or the poll workers (npm start)',
  options: {
    role: {
      type: 'string',
      value: ROLES.join('|'),
      description: 'what this process runs (default: COLIS_ROLE, which defaults to all)',
    },
  },
  logsAtLogLevel: true,
  async run({ values }, { config, logger }) {
    const role = values.role ?? config.COLIS_ROLE
    if (!isRole(role)) throw new UsageError(`--role is one of ${ROLES.join(', ')}`)
    const { startService, stopOnSignals } = await import('../main/service.js')
    const starting = startService(config, role, logger)
    stopOnSignals(starting, config, logger)
    await starting
    return 0
  },
})
