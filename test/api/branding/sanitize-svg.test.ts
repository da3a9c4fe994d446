import fc from 'fast-check'
import { JSDOM } from 'jsdom'
import { describe, expect, it } from 'vitest'
import { MAX_SVG_DEPTH, MAX_SVG_ELEMENTS, sanitizeSvg } from '../../../src/api/branding/sanitize-svg.js'
import { SIMPLE_SVG } from '../../support/logo-images.js'
import { propertyRuns } from '../../support/property-runs.js'

const SVG_OPEN =
  '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
const SHAPE = '<rect id="r" width="10" height="10" fill="#1a56db"/>'
const svgOf = (inner: string, open = SVG_OPEN) => `${open}${SHAPE}${inner}</svg>`
const PNG_DATA_URI = 'data:image/png;base64,iVBORw0KGgo='

async function sanitized(svg: string): Promise<string> {
  const result = await sanitizeSvg(Buffer.from(svg, 'utf8'))
  if (!result.ok) throw new Error(`refused: ${result.reason}`)
  return result.svg.toString('utf8')
}

async function refusal(svg: string | Buffer): Promise<string> {
  const result = await sanitizeSvg(typeof svg === 'string' ? Buffer.from(svg, 'utf8') : svg)
  if (result.ok) throw new Error(`accepted: ${result.svg.toString('utf8')}`)
  return result.reason
}

/**
 * One window parses every SVG the tests read back: each parse gives a document of its own, and a new
 * window per parse was most of this file's time.
 */
const { DOMParser } = new JSDOM('').window

/** Every element and attribute of a sanitized SVG, parsed back. */
function parsed(svg: string) {
  const document = new DOMParser().parseFromString(svg, 'image/svg+xml')
  const elements = [...document.querySelectorAll('*')]
  return {
    names: elements.map((element) => element.localName),
    attributes: elements.flatMap((element) =>
      [...element.attributes].map((attribute) => [attribute.name, attribute.value] as const),
    ),
    document,
  }
}

describe('sanitizeSvg: what goes', () => {
  it.each([
    ['a script element', svgOf('<script>alert(1)</script>'), /<script/i],
    [
      'a script in the SVG namespace with a CDATA body',
      svgOf('<script type="text/ecmascript"><![CDATA[alert(1)]]></script>'),
      /alert/,
    ],
    ['onload on the root', svgOf('', SVG_OPEN.replace('<svg ', '<svg onload="alert(1)" ')), /onload|alert/i],
    [
      'an event handler on a shape',
      svgOf('<circle r="2" onclick="alert(1)" onmouseover="alert(2)"/>'),
      /on\w+=|alert/i,
    ],
    [
      'a foreignObject with HTML',
      svgOf(
        '<foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="alert(1)"/></div></foreignObject>',
      ),
      /foreignObject|<div|onerror/i,
    ],
    ['a javascript: link', svgOf('<a href="javascript:alert(1)"><text>x</text></a>'), /javascript/i],
    [
      'a javascript: link spelt with tabs and case',
      svgOf('<a xlink:href="jav&#x09;aScRipt:alert(1)"><text>x</text></a>'),
      /script:/i,
    ],
    [
      'an external image by href',
      svgOf('<image href="https://tracker.example/pixel.png" width="1" height="1"/>'),
      /tracker\.example/,
    ],
    [
      'an xlink:href to http',
      svgOf('<image xlink:href="http://tracker.example/pixel.png" width="1" height="1"/>'),
      /tracker\.example/,
    ],
    [
      'a use of another document',
      svgOf('<use href="https://evil.example/sprite.svg#icon"/>'),
      /evil\.example/,
    ],
    [
      'a style with @import',
      svgOf('<style>@import url(https://evil.example/x.css); rect { fill: red }</style>'),
      /@import|evil\.example/,
    ],
    [
      'a style loading a background',
      svgOf('<style>rect { fill: url(https://evil.example/x.svg#p) }</style>'),
      /evil\.example/,
    ],
    [
      'a style hiding url( behind an escape',
      svgOf('<style>rect { background: u\\72l(https://evil.example/x) }</style>'),
      /evil\.example/,
    ],
    [
      'a style attribute loading an image',
      svgOf('<circle r="2" style="fill: url(\'https://evil.example/p\')"/>'),
      /evil\.example/,
    ],
    [
      'a fill pointing outside',
      svgOf('<circle r="2" fill="url(https://evil.example/g.svg#g)"/>'),
      /evil\.example/,
    ],
    [
      'a fill hiding url( behind an escape',
      svgOf('<circle r="2" fill="u\\72l(https://evil.example/g.svg#g)"/>'),
      /evil\.example/,
    ],
    [
      'an SVG embedded as data',
      svgOf('<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" width="1" height="1"/>'),
      /svg\+xml/,
    ],
    [
      'an animation setting a link',
      svgOf('<a href="#r"><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>'),
      /javascript|<set/i,
    ],
    ['an iframe', svgOf('<iframe src="https://evil.example"/>'), /iframe|evil/i],
    [
      'a processing instruction loading a stylesheet',
      `<?xml-stylesheet href="https://evil.example/x.css"?>${svgOf('')}`,
      /evil\.example|xml-stylesheet/,
    ],
  ])('removes %s', async (_name, svg, forbidden) => {
    const clean = await sanitized(svg)
    expect(clean).not.toMatch(forbidden)
    expect(parsed(clean).names).toContain('rect')
  })
})

describe('sanitizeSvg: what stays', () => {
  it('keeps shapes, gradients, links to its own fragments and inline PNGs', async () => {
    const svg = svgOf(
      `<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>` +
        `<circle r="2" fill="url(#g)" style="stroke: url(#g)"/><use href="#r" x="2"/>` +
        `<image href="${PNG_DATA_URI}" width="1" height="1"/><style>circle { fill: url(#g) }</style>` +
        '<title>Maison Lumière</title>',
    )
    const { names, attributes } = parsed(await sanitized(svg))
    expect(names).toEqual(
      expect.arrayContaining([
        'svg',
        'rect',
        'linearGradient',
        'stop',
        'circle',
        'use',
        'image',
        'style',
        'title',
      ]),
    )
    expect(attributes).toEqual(
      expect.arrayContaining([
        ['fill', 'url(#g)'],
        ['style', 'stroke: url(#g)'],
        ['href', '#r'],
        ['href', PNG_DATA_URI],
      ]),
    )
  })

  it('gives back a document that parses as SVG on its own', async () => {
    const { document } = parsed(await sanitized(SIMPLE_SVG))
    expect(document.documentElement.localName).toBe('svg')
    expect(document.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg')
  })
})

describe('sanitizeSvg: what is refused', () => {
  it.each([
    ['not well-formed XML', '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', /well-formed/],
    ['markup that never ends', '<svg xmlns="http://www.w3.org/2000/svg"><!-- <rect/></svg>', /well-formed/],
    ['HTML', '<html><body><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg></body></html>', /<svg>/],
    ['an <svg> outside the SVG namespace', '<svg><rect width="1" height="1"/></svg>', /<svg>/],
    ['a prefixed root', '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect/></s:svg>', /<svg>/],
    ['only a script', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', /nothing/],
    [
      'only a foreignObject',
      '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
      /nothing/,
    ],
    ['an empty <svg>', '<svg xmlns="http://www.w3.org/2000/svg"/>', /nothing/],
    ['entities', `<!DOCTYPE svg [<!ENTITY a "aaaa">]>${svgOf('<text>&a;</text>')}`, /entities/],
    [
      'nesting too deep',
      svgOf(`${'<g>'.repeat(MAX_SVG_DEPTH + 1)}${'</g>'.repeat(MAX_SVG_DEPTH + 1)}`),
      /deep/,
    ],
    [
      'nesting hidden behind attribute values',
      svgOf(`${'<g a="/>">'.repeat(MAX_SVG_DEPTH + 1)}${'</g>'.repeat(MAX_SVG_DEPTH + 1)}`),
      /deep/,
    ],
    ['too many elements', svgOf('<rect/>'.repeat(MAX_SVG_ELEMENTS)), /elements/],
  ])('refuses %s', async (_name, svg, reason) => {
    expect(await refusal(svg)).toMatch(reason)
  })

  it('refuses bytes that are not UTF-8', async () => {
    expect(await refusal(Buffer.from([0x3c, 0x73, 0x76, 0x67, 0xff, 0xfe]))).toMatch(/UTF-8/)
  })

  it('reads a document type without entities, as older design tools write it', async () => {
    const doctype =
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
    expect(parsed(await sanitized(`<?xml version="1.0"?>${doctype}${SIMPLE_SVG}`)).names).toContain('rect')
  })

  it('refuses a deep document in a fraction of a second, before parsing it', async () => {
    const deep = svgOf(`${'<g>'.repeat(12_000)}${'</g>'.repeat(12_000)}`)
    const started = performance.now()
    expect(await refusal(deep)).toMatch(/deep/)
    // Parsed, this document takes the XML parser many seconds; the bound is loose for a loaded machine.
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})

/** Pieces of markup that carry script or reach outside, to mix into documents. */
const HOSTILE_ATTRIBUTES = [
  'onload="alert(1)"',
  'onclick="alert(1)"',
  'ONMOUSEOVER="alert(1)"',
  'href="javascript:alert(1)"',
  'xlink:href="javascript:alert(1)"',
  'href="jav&#x0A;ascript:alert(1)"',
  'href="https://evil.example/x"',
  'xlink:href="//evil.example/x"',
  'style="background:url(javascript:alert(1))"',
  'style="fill:url(https://evil.example/x)"',
  'fill="url(https://evil.example/x#p)"',
  'values="javascript:alert(1)"',
  'to="javascript:alert(1)"',
  'href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"',
  'href="#r"',
  'fill="#123456"',
  'width="3"',
]

const ELEMENT_NAMES = [
  'g',
  'rect',
  'circle',
  'path',
  'a',
  'use',
  'image',
  'text',
  'script',
  'foreignObject',
  'style',
  'set',
  'animate',
  'iframe',
  'handler',
  'listener',
  'feImage',
  'filter',
]

const TEXTS = [
  '',
  'Maison',
  'alert(1)',
  '@import url(https://evil.example/x.css);',
  'rect{fill:url(#r)}',
  '&lt;script&gt;',
]

interface Node {
  name: string
  attributes: string[]
  text: string
  children: Node[]
}

const node: fc.Memo<Node> = fc.memo((depth) =>
  fc.record({
    name: fc.constantFrom(...ELEMENT_NAMES),
    attributes: fc.uniqueArray(fc.constantFrom(...HOSTILE_ATTRIBUTES), {
      maxLength: 4,
      selector: (attribute) => attribute.split('=')[0]?.toLowerCase(),
    }),
    text: fc.constantFrom(...TEXTS),
    children: depth > 1 ? fc.array(node(depth - 1), { maxLength: 3 }) : fc.constant([]),
  }),
)

function markupOf(element: Node): string {
  const attributes = element.attributes.map((attribute) => ` ${attribute}`).join('')
  const body = element.name === 'script' ? `<![CDATA[${element.text}]]>` : element.text
  return `<${element.name}${attributes}>${body}${element.children.map(markupOf).join('')}</${element.name}>`
}

describe('sanitizeSvg: any mix of hostile markup', () => {
  it('never gives back a script, an event handler or a javascript: URL', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(node(4), { minLength: 1, maxLength: 4 }), async (children) => {
        const result = await sanitizeSvg(Buffer.from(svgOf(children.map(markupOf).join('')), 'utf8'))
        if (!result.ok) return
        const clean = result.svg.toString('utf8')
        expect(clean).not.toMatch(/<script/i)
        expect(clean).not.toMatch(/\son[a-z]+\s*=/i)
        expect(clean).not.toMatch(/javascript:/i)
        // Text is inert outside <style>: what could load something is in attributes and stylesheets.
        const { document, attributes } = parsed(clean)
        const styles = [...document.querySelectorAll('style')].map((style) => style.textContent)
        expect([...attributes.map(([, value]) => value), ...styles].join('\n')).not.toMatch(/evil\.example/)
      }),
      { numRuns: propertyRuns(200) },
    )
  })
})
