import { readFileSync } from 'node:fs'
import {
  CarrierDefinitionError,
  type GenericCarrierDefinition,
  parseCarrierDefinitions,
} from './definition-schema.js'

/**
 * Reads and validates a definition file whose ids may not be `reservedIds`; a missing file, bad JSON or
 * bad definition throws `CarrierDefinitionError`.
 */
export function loadCarrierDefinitions(
  path: string,
  reservedIds: readonly string[],
): GenericCarrierDefinition[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describe(error)
    throw new CarrierDefinitionError([`(file): cannot read it: ${why}`], path)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new CarrierDefinitionError([`(file): not JSON: ${describe(error)}`], path)
  }
  return parseCarrierDefinitions(json, reservedIds, path)
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
