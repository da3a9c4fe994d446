import { crc32 } from 'node:zlib'

/** A side longer than this is no logo, and would cost a shopper's browser a lot of memory to decode. */
export const MAX_LOGO_SIDE_PX = 4096

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Why `bytes` are not a logo of that size, or undefined when they are. */
function checkSides(format: string, widthPx: number, heightPx: number): string | undefined {
  if (widthPx < 1 || heightPx < 1 || widthPx > MAX_LOGO_SIDE_PX || heightPx > MAX_LOGO_SIDE_PX) {
    return `the ${format} is ${widthPx}×${heightPx} px; a logo is at most ${MAX_LOGO_SIDE_PX} px a side`
  }
  return undefined
}

/**
 * Why `bytes` are not a PNG, or undefined when they are one as far as its header tells: the signature,
 * then an IHDR chunk first (as the format requires) whose checksum holds and whose sides are sane.
 * The pixels themselves are left to the browser, which decodes PNGs safely.
 */
export function checkPng(bytes: Buffer): string | undefined {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'not a PNG (no PNG signature)'
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    return 'not a PNG (its first chunk is not IHDR)'
  }
  if (crc32(bytes.subarray(12, 29)) !== bytes.readUInt32BE(29)) return 'not a PNG (IHDR checksum is wrong)'
  return checkSides('PNG', bytes.readUInt32BE(16), bytes.readUInt32BE(20))
}

/** The canvas of a WebP from its first chunk (https://developers.google.com/speed/webp/docs/riff_container). */
function webpSides(bytes: Buffer): { widthPx: number; heightPx: number } | undefined {
  const chunk = bytes.toString('latin1', 12, 16)
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { widthPx: 1 + bytes.readUIntLE(24, 3), heightPx: 1 + bytes.readUIntLE(27, 3) }
  }
  if (chunk === 'VP8L' && bytes.length >= 25 && bytes[20] === 0x2f) {
    const bits = bytes.readUInt32LE(21)
    return { widthPx: (bits & 0x3fff) + 1, heightPx: ((bits >>> 14) & 0x3fff) + 1 }
  }
  const keyFrameStart = bytes.subarray(23, 26)
  if (chunk === 'VP8 ' && bytes.length >= 30 && keyFrameStart.equals(Buffer.from([0x9d, 0x01, 0x2a]))) {
    return { widthPx: bytes.readUInt16LE(26) & 0x3fff, heightPx: bytes.readUInt16LE(28) & 0x3fff }
  }
  return undefined
}

/** Why `bytes` are not a WebP, or undefined when they are one as far as its RIFF header tells. */
export function checkWebp(bytes: Buffer): string | undefined {
  if (
    bytes.length < 20 ||
    bytes.toString('latin1', 0, 4) !== 'RIFF' ||
    bytes.toString('latin1', 8, 12) !== 'WEBP'
  ) {
    return 'not a WebP (no RIFF WEBP header)'
  }
  if (bytes.readUInt32LE(4) + 8 !== bytes.length) return 'not a WebP (its RIFF size is not its length)'
  const sides = webpSides(bytes)
  if (!sides) return 'not a WebP (no VP8, VP8L or VP8X chunk first)'
  return checkSides('WebP', sides.widthPx, sides.heightPx)
}
