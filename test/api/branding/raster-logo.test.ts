import { describe, expect, it } from 'vitest'
import { checkPng, checkWebp, MAX_LOGO_SIDE_PX } from '../../../src/api/branding/raster-logo.js'
import { pngOf, WEBP_1PX, webpCanvasOf } from '../../support/logo-images.js'

describe('checkPng', () => {
  it('takes a PNG of sane sides', () => {
    expect(checkPng(pngOf(1, 1))).toBeUndefined()
    expect(checkPng(pngOf(MAX_LOGO_SIDE_PX, 200))).toBeUndefined()
  })

  it.each([
    ['no bytes', Buffer.alloc(0), /signature/],
    ['a WebP', WEBP_1PX, /signature/],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'), /signature/],
    ['SVG text', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'.padEnd(40)), /signature/],
    ['the signature alone', pngOf(1, 1).subarray(0, 8), /signature/],
    ['a first chunk that is not IHDR', Buffer.from(pngOf(1, 1)).fill(0x41, 12, 16), /IHDR/],
    ['a header whose checksum is wrong', Buffer.from(pngOf(1, 1)).fill(0, 29, 33), /checksum/],
    ['no width', pngOf(0, 10), /0×10/],
    ['a side too long', pngOf(MAX_LOGO_SIDE_PX + 1, 10), /at most/],
    ['a decompression bomb', pngOf(100_000, 100_000), /at most/],
  ])('refuses %s', (_name, bytes, reason) => {
    expect(checkPng(bytes)).toMatch(reason)
  })
})

describe('checkWebp', () => {
  it('takes a lossless WebP and an extended one of sane sides', () => {
    expect(checkWebp(WEBP_1PX)).toBeUndefined()
    expect(checkWebp(webpCanvasOf(640, 200))).toBeUndefined()
  })

  it.each([
    ['no bytes', Buffer.alloc(0), /RIFF/],
    ['a PNG', pngOf(1, 1), /RIFF/],
    ['a WAVE file', Buffer.from(WEBP_1PX).fill(0x41, 8, 12), /RIFF/],
    ['a length that is not the RIFF size', Buffer.concat([WEBP_1PX, Buffer.alloc(2)]), /size/],
    ['an unknown first chunk', Buffer.from(WEBP_1PX).fill(0x41, 12, 16), /chunk/],
    ['a canvas too wide', webpCanvasOf(MAX_LOGO_SIDE_PX + 1, 10), /at most/],
  ])('refuses %s', (_name, bytes, reason) => {
    expect(checkWebp(bytes)).toMatch(reason)
  })
})
