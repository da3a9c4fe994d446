import { styleText } from 'node:util'
import type { Config } from '../config.js'

export type StyleFormat = Parameters<typeof styleText>[0]
export type Paint = (format: StyleFormat, text: string) => string

/**
 * FORCE_COLOR wins (`0`/`false` turns colours off), as in Node's own rule; otherwise colours only on a
 * terminal and without NO_COLOR. The environment is read by the config module, so styleText is told not
 * to look at it again.
 */
export function colourEnabled(
  stream: { isTTY?: boolean },
  config: Pick<Config, 'NO_COLOR' | 'FORCE_COLOR'>,
): boolean {
  if (config.FORCE_COLOR !== undefined) return !['0', 'false'].includes(config.FORCE_COLOR.toLowerCase())
  return stream.isTTY === true && config.NO_COLOR === undefined
}

export function createPaint(enabled: boolean): Paint {
  return enabled
    ? (format, text) => styleText(format, text, { validateStream: false })
    : (_format, text) => text
}
