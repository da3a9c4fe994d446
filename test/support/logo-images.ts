import { crc32, deflateSync } from 'node:zlib'

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'latin1')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/**
 * A PNG (grey, 8 bits) whose header announces that size; its pixels are whole only up to 64 px a
 * side, which is all a browser test shows. `paddingBytes` of text in a tEXt chunk make it as large
 * as a test needs.
 */
export function pngOf(widthPx: number, heightPx: number, paddingBytes = 0): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(widthPx, 0)
  header.writeUInt32BE(heightPx, 4)
  header.set([8, 0, 0, 0, 0], 8)
  const rows = Math.min(heightPx, 64)
  const pixels = deflateSync(Buffer.alloc(rows * (Math.min(widthPx, 64) + 1)))
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(paddingBytes > 0
      ? [chunk('tEXt', Buffer.from(`Comment\0${'x'.repeat(paddingBytes)}`, 'latin1'))]
      : []),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/** A lossless WebP, one transparent pixel (libwebp's output). */
export const WEBP_1PX = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64')

/** An extended-format WebP header (VP8X) announcing a canvas of that size. */
export function webpCanvasOf(widthPx: number, heightPx: number): Buffer {
  const bytes = Buffer.alloc(30)
  bytes.write('RIFF', 0, 'latin1')
  bytes.writeUInt32LE(22, 4)
  bytes.write('WEBPVP8X', 8, 'latin1')
  bytes.writeUInt32LE(10, 16)
  bytes.writeUIntLE(widthPx - 1, 24, 3)
  bytes.writeUIntLE(heightPx - 1, 27, 3)
  return bytes
}

export const SIMPLE_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#1a56db"/></svg>'
