import { CarrierError } from '../../adapters/contract.js'
import type { CarrierSnapshot } from '../domain/carrier-snapshot.js'
import { readFrenchPostalCode } from '../domain/destination.js'
import { deriveTrackingStatus } from '../domain/timeline.js'
import { normalizeTrackingNumber } from '../domain/tracking-number.js'
import { createCarriers } from '../main/policies.js'
import { chooseAdapter } from './carrier-choice.js'
import { printJson, printLine } from './cli-io.js'
import { defineCommand } from './command.js'
import { defaultLanguage, LANGUAGES, parseLanguage } from './language.js'
import { toNormalizedJson } from './normalize-output.js'
import { renderTimeline } from './render-timeline.js'
import { colourEnabled, createPaint } from './terminal-colour.js'
import { UsageError } from './usage-error.js'

/** The 5 digits of a French postal code, as the API stores a destination in France. */
function readPostalCodeOption(code: string | undefined): string | undefined {
  if (code === undefined) return undefined
  const postalCode = readFrenchPostalCode(code)
  if (postalCode === undefined)
    throw new UsageError(
      `--postal-code ${code}: not a French postal code (5 digits of a French department, such as 75011)`,
    )
  return postalCode
}

/** `colis track`: asks the carrier once, without Redis; exit 1 when the carrier fails. */
export const trackCommand = defineCommand({
  name: 'track',
  operands: ['<number>'],
  summary: 'fetch a timeline once, without Redis, and print it',
  options: {
    carrier: { type: 'string', value: '<id>', description: 'the carrier to ask (default: detected)' },
    'postal-code': {
      type: 'string',
      value: '<code>',
      description: 'the destination postal code, for carriers that need it (Colis Privé)',
    },
    lang: {
      type: 'string',
      value: LANGUAGES.join('|'),
      description: 'language of the timeline (default: from LC_ALL, then LANG)',
    },
    json: { type: 'boolean', description: 'print the normalized snapshot as JSON' },
  },
  async run({ values, operands: [raw = ''] }, { io, config, logger }) {
    const language = values.lang === undefined ? defaultLanguage(config) : parseLanguage(values.lang)
    if (!language) throw new UsageError(`--lang is one of ${LANGUAGES.join(', ')}`)
    const postalCodeOption = readPostalCodeOption(values['postal-code'])
    const number = normalizeTrackingNumber(raw)
    const carriers = createCarriers(config, logger, { env: io.env })
    try {
      const adapter = chooseAdapter(carriers, values.carrier, number)
      const check = adapter.checkNumber(number)
      if (!check.ok) throw new UsageError(`${raw}: ${check.reason}`)
      const fromNumber = check.destination?.postalCode
      if (fromNumber !== undefined && postalCodeOption !== undefined && fromNumber !== postalCodeOption)
        throw new UsageError(`${number} ends with the postal code ${fromNumber}, not ${postalCodeOption}`)
      const destinationPostalCode = fromNumber ?? postalCodeOption
      if (adapter.requiresDestinationPostalCode && destinationPostalCode === undefined)
        throw new UsageError(
          `${adapter.name} shows a parcel only with its destination postal code: give --postal-code <code>`,
        )
      let snapshot: CarrierSnapshot
      try {
        snapshot = await adapter.track({
          trackingNumber: check.trackingNumber,
          ...(destinationPostalCode !== undefined && { destinationPostalCode }),
        })
      } catch (error) {
        if (error instanceof CarrierError)
          throw new UsageError(`${adapter.name}: ${error.kind}: ${error.message}`, 1)
        throw error
      }
      if (values.json) printJson(io.stdout, toNormalizedJson(snapshot))
      else
        printLine(
          io.stdout,
          renderTimeline(snapshot, deriveTrackingStatus(snapshot.events), {
            language,
            paint: createPaint(colourEnabled(io.stdout, config)),
            carrierName: adapter.name,
          }),
        )
      return 0
    } finally {
      await carriers.close()
    }
  },
})
