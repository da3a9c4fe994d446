import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  contrastRatio,
  contrastWithWhite,
  HEX_COLOR,
  relativeLuminance,
} from '../../src/domain/color-contrast.js'
import { propertyRuns } from '../support/property-runs.js'

const hexColor = fc
  .integer({ min: 0, max: 0xffffff })
  .map((value) => `#${value.toString(16).padStart(6, '0')}`)

describe('WCAG 2.1 contrast', () => {
  it('gives black and white their luminance, and the widest ratio between them', () => {
    expect(relativeLuminance('#000000')).toBe(0)
    expect(relativeLuminance('#FFFFFF')).toBe(1)
    expect(contrastRatio('#000000', '#ffffff')).toBe(21)
    expect(contrastWithWhite('#ffffff')).toBe(1)
  })

  // Reference ratios from WebAIM's contrast checker (https://webaim.org/resources/contrastchecker/).
  it.each([
    ['#767676', 4.54],
    ['#777777', 4.48],
    ['#ffff00', 1.07],
    ['#1a56db', 6.18],
    ['#0000ff', 8.59],
    ['#ff0000', 4.0],
  ])('measures %s against white at %f:1', (hex, ratio) => {
    expect(contrastWithWhite(hex)).toBeCloseTo(ratio, 2)
  })

  it('is the same whichever colour is the text, and between 1 and 21', () => {
    fc.assert(
      fc.property(hexColor, hexColor, (first, second) => {
        const ratio = contrastRatio(first, second)
        expect(ratio).toBeCloseTo(contrastRatio(second, first), 12)
        expect(ratio).toBeGreaterThanOrEqual(1)
        expect(ratio).toBeLessThanOrEqual(21)
      }),
      { numRuns: propertyRuns(200) },
    )
  })

  it('refuses what is not #rrggbb', () => {
    for (const text of ['#fff', 'ffffff', '#gggggg', '#1a56db ', 'red']) {
      expect(HEX_COLOR.test(text)).toBe(false)
      expect(() => relativeLuminance(text)).toThrow(/#rrggbb/)
    }
  })
})
