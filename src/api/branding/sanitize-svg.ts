import type { DOMPurify } from 'dompurify'
import type { DOMWindow } from 'jsdom'

/** Deeper than this is no logo: the XML parser's time grows with the square of the depth. */
export const MAX_SVG_DEPTH = 64
/** More elements than this is no logo, and would hold the process a long while to parse and sanitize. */
export const MAX_SVG_ELEMENTS = 4000

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg'

/** SVG's graphics elements: a sanitized logo that keeps none of them draws nothing. */
const GRAPHICS_ELEMENTS = new Set([
  'circle',
  'ellipse',
  'image',
  'line',
  'path',
  'polygon',
  'polyline',
  'rect',
  'text',
  'use',
])

/** What a link inside a logo may point at: an element of the logo itself. */
const FRAGMENT = /^#[A-Za-z_][\w.:-]*$/
/** What an `<image>` may embed besides: a raster image inline, never another SVG (it could carry anything). */
const INLINE_RASTER = /^data:image\/(png|webp);base64,[A-Za-z0-9+/=\s]+$/i

export type SvgSanitization = { ok: true; svg: Buffer } | { ok: false; reason: string }

interface Sanitizer {
  window: DOMWindow
  purify: DOMPurify
}

let sanitizer: Promise<Sanitizer> | undefined

/** jsdom takes most of a second to load: only a process that receives an SVG logo pays for it. */
function loadSanitizer(): Promise<Sanitizer> {
  sanitizer ??= Promise.all([import('jsdom'), import('dompurify')]).then(
    ([{ JSDOM }, { default: createPurify }]) => {
      const { window } = new JSDOM('')
      return { window, purify: createPurify(window) }
    },
  )
  return sanitizer
}

/** Markup that is not an element, and how it ends. */
const OTHER_MARKUP = [
  ['<!--', '-->'],
  ['<![CDATA[', ']]>'],
  ['<?', '?>'],
  ['<!', '>'],
] as const

/** Where the tag opened at `from` ends (past its `>`), quotes minded; -1 when it never does. */
function tagEnd(text: string, from: number): number {
  let quote: string | undefined
  for (let index = from + 1; index < text.length; index++) {
    const char = text[index]
    if (quote) {
      if (char === quote) quote = undefined
    } else if (char === '"' || char === "'") quote = char
    else if (char === '>') return index + 1
  }
  return -1
}

/**
 * The markup's nesting depth and element count, read in one pass without building a tree (building
 * one is the cost being guarded); undefined when some markup never ends. Attribute values cannot hold
 * `<` in XML, so every `<` outside other markup starts a tag.
 */
function measureMarkup(text: string): { depth: number; elements: number } | undefined {
  let depth = 0
  let deepest = 0
  let elements = 0
  for (let at = text.indexOf('<'); at !== -1; ) {
    const other = OTHER_MARKUP.find(([open]) => text.startsWith(open, at))
    let end: number
    if (other) {
      const close = text.indexOf(other[1], at + other[0].length)
      end = close === -1 ? -1 : close + other[1].length
    } else {
      end = tagEnd(text, at)
      if (text[at + 1] === '/') depth--
      else {
        elements++
        if (text[end - 2] !== '/') deepest = Math.max(deepest, ++depth)
      }
    }
    if (end === -1) return undefined
    at = text.indexOf('<', end)
  }
  return { depth: deepest, elements }
}

/** Whether CSS (a `<style>` or a `style` attribute) loads nothing and hides nothing. */
function isSelfContainedCss(css: string): boolean {
  const lower = css.toLowerCase()
  // A backslash escape can spell `url(` or `@import` in a way no pattern below would see.
  if (lower.includes('\\') || /@import|image-set\(|expression\(|javascript:/.test(lower)) return false
  return [...lower.matchAll(/url\(\s*['"]?\s*([^'")\s]*)/g)].every(([, target]) => target?.startsWith('#'))
}

/** Script schemes once whitespace and control characters (which browsers skip in URLs) are gone. */
function hidesScript(value: string): boolean {
  return /(java|vb)script:|data:text/i.test(value.replace(/[\s\p{Cc}]/gu, ''))
}

function isSafeAttribute(element: Element, name: string, value: string): boolean {
  if (/(^|:)on/.test(name)) return false
  if (name === 'href' || name.endsWith(':href')) {
    return FRAGMENT.test(value) || (element.localName === 'image' && INLINE_RASTER.test(value))
  }
  if (hidesScript(value)) return false
  // Presentation attributes (`fill`, `filter`…) are CSS values too, escapes included.
  if (name === 'style' || /url\(|\\/i.test(value)) return isSelfContainedCss(value)
  return true
}

/** What DOMPurify's SVG profile keeps but a logo must not: links and loads outside the logo. */
function removeOutsideReferences(root: Element): void {
  for (const element of [root, ...root.querySelectorAll('*')]) {
    if (element.localName === 'style' && !isSelfContainedCss(element.textContent ?? '')) {
      element.remove()
      continue
    }
    for (const attribute of [...element.attributes]) {
      if (!isSafeAttribute(element, attribute.name.toLowerCase(), attribute.value)) {
        element.removeAttributeNode(attribute)
      }
    }
  }
}

function drawsSomething(root: Element): boolean {
  return [...root.querySelectorAll('*')].some((element) => GRAPHICS_ELEMENTS.has(element.localName))
}

/**
 * An uploaded SVG made safe to serve: well-formed, an `<svg>` at its root, then DOMPurify's SVG
 * profile (no script, event handler, foreignObject…) and no reference outside the logo but inline
 * PNG or WebP images. Refused when it is not well-formed, too large to parse cheaply, or draws
 * nothing once sanitized.
 */
export async function sanitizeSvg(bytes: Uint8Array): Promise<SvgSanitization> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return { ok: false, reason: 'an SVG must be UTF-8' }
  }
  // Entities declared in a document type are not expanded by the parser, and a logo has no use for them.
  if (/<!DOCTYPE[^>]*\[|<!ENTITY/i.test(text))
    return { ok: false, reason: 'an SVG logo may not declare entities' }
  const measured = measureMarkup(text)
  if (!measured) return { ok: false, reason: 'the SVG is not well-formed XML' }
  const { depth, elements } = measured
  if (depth > MAX_SVG_DEPTH)
    return { ok: false, reason: `an SVG logo nests at most ${MAX_SVG_DEPTH} elements deep` }
  if (elements > MAX_SVG_ELEMENTS)
    return { ok: false, reason: `an SVG logo has at most ${MAX_SVG_ELEMENTS} elements` }

  const { window, purify } = await loadSanitizer()
  const parsed = new window.DOMParser().parseFromString(text, 'image/svg+xml')
  const root = parsed.documentElement
  if (parsed.getElementsByTagName('parsererror').length > 0 || !root) {
    return { ok: false, reason: 'the SVG is not well-formed XML' }
  }
  // A prefixed root (`<svg:svg>`) is one DOMPurify cannot sanitize in place.
  if (root.nodeName !== 'svg' || root.namespaceURI !== SVG_NAMESPACE) {
    return { ok: false, reason: 'an SVG logo has <svg> in the SVG namespace at its root' }
  }
  purify.sanitize(root, {
    USE_PROFILES: { svg: true, svgFilters: true },
    // `<use>` is how design tools repeat shapes; its links are held to the logo's own fragments below.
    ADD_TAGS: ['use'],
    IN_PLACE: true,
  })
  removeOutsideReferences(root)
  if (!drawsSomething(root)) return { ok: false, reason: 'nothing of the SVG is left once sanitized' }
  return { ok: true, svg: Buffer.from(new window.XMLSerializer().serializeToString(root), 'utf8') }
}
