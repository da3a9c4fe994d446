import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The scan codes bench/laposte-answers.ts sends, and their statuses as La Poste's own table has them. */
const STATUS_BY_CODE = {
  DR1: 'info_received',
  PC1: 'in_transit',
  ET1: 'in_transit',
  ET2: 'in_transit',
  ET3: 'in_transit',
  ET4: 'in_transit',
  EP1: 'in_transit',
} as const

/**
 * Writes a COLIS_CARRIERS_FILE in `dir` of one definition-file carrier per id, all asking the loopback
 * La Poste at `baseUrl` for one number a request and reading its Suivi v2 answer: several carriers,
 * each with its own poll queue, at the cost of one loopback. Returns the file's path.
 */
export function writeLoopbackDefinitions(dir: string, ids: readonly string[], baseUrl: string): string {
  const carriers = ids.map((id) => ({
    id,
    name: `Loopback ${id}`,
    numbers: { pattern: '[0-9A-Z]{13}' },
    request: {
      url: `${baseUrl}/idships/{trackingNumber}?lang=fr_FR`,
      headers: { Accept: 'application/json' },
      rateLimit: { max: 100_000, durationMs: 1000 },
    },
    response: { kind: 'json' },
    extraction: {
      events: 'shipment.event',
      fields: { code: 'code', description: 'label', date: 'date' },
      trackingNumber: 'shipment.idShip',
    },
    dates: { formats: ['iso'] },
    statusMapping: { codes: STATUS_BY_CODE },
  }))
  const file = join(dir, 'loopback-carriers.json')
  writeFileSync(file, JSON.stringify({ carriers }))
  return file
}
