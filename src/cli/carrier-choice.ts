import type { CarrierAdapter } from '../../adapters/contract.js'
import type { CarrierRuntime } from '../../adapters/registry.js'
import { UsageError } from './usage-error.js'

/** The adapter `--carrier` names, else the one that recognises `number`; a UsageError saying why not. */
export function chooseAdapter(
  runtime: CarrierRuntime,
  carrier: string | undefined,
  number?: string,
): CarrierAdapter {
  if (carrier) {
    const adapter = runtime.get(carrier)
    if (!adapter) {
      throw new UsageError(
        `unknown carrier "${carrier}" (known: ${runtime
          .list()
          .map((known) => known.id)
          .join(', ')})`,
      )
    }
    return adapter
  }
  const detection = runtime.detect(number ?? '')
  const winner = detection.winner ? runtime.get(detection.winner) : undefined
  if (winner) return winner
  throw new UsageError(
    detection.candidates.length === 0
      ? `no carrier recognises "${number}"${detection.problems[0] ? ` (${detection.problems[0]})` : ''}; pass --carrier`
      : `several carriers could track "${number}" (${detection.candidates.map((c) => c.carrier).join(', ')}); pass --carrier`,
  )
}
