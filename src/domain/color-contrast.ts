/** A colour written `#rrggbb`. */
export const HEX_COLOR = /^#[0-9a-fA-F]{6}$/

/** WCAG AA for normal text: the strictest ratio the page needs of its accent colour. */
export const AA_TEXT_CONTRAST = 4.5

const WHITE = '#ffffff'

/** One sRGB channel byte as linear light, per WCAG's definition of relative luminance. */
function linearChannel(value: number): number {
  const channel = value / 255
  return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4
}

/** Relative luminance of a `#rrggbb` colour, from black to white (https://www.w3.org/TR/WCAG21/#dfn-relative-luminance). */
export function relativeLuminance(hex: string): number {
  if (!HEX_COLOR.test(hex)) throw new Error(`not a #rrggbb colour: ${hex}`)
  const value = Number.parseInt(hex.slice(1), 16)
  const red = linearChannel((value >> 16) & 0xff)
  const green = linearChannel((value >> 8) & 0xff)
  const blue = linearChannel(value & 0xff)
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue
}

/** Contrast ratio of two colours, the same whichever is the text (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
export function contrastRatio(first: string, second: string): number {
  const [lighter, darker] = [relativeLuminance(first), relativeLuminance(second)].sort((a, b) => b - a)
  return ((lighter ?? 0) + 0.05) / ((darker ?? 0) + 0.05)
}

/**
 * The contrast of a colour with white: the page writes it as text on white and writes white on it,
 * and the ratio is the same both ways.
 */
export function contrastWithWhite(hex: string): number {
  return contrastRatio(hex, WHITE)
}
