import type { CheerioAPI } from 'cheerio'

/** Elements cheerio found in an XML document. */
export type XmlElements = ReturnType<ReturnType<CheerioAPI['root']>['children']>

/** Element name without its namespace prefix: `soap:Body`, `c:Traces` and `Traces` compare alike. */
export function localName(tagName: string): string {
  return tagName.slice(tagName.indexOf(':') + 1)
}

export function named(elements: XmlElements, name: string): XmlElements {
  return elements.filter((_, element) => localName(element.tagName) === name)
}

export function childrenNamed(parents: XmlElements, name: string): XmlElements {
  return named(parents.children(), name)
}

/** The text of the first child named `name`; undefined when there is none. */
export function childText(parent: XmlElements, name: string): string | undefined {
  const found = childrenNamed(parent, name)
  return found.length > 0 ? found.first().text() : undefined
}

export function eachElement(elements: XmlElements): XmlElements[] {
  return Array.from({ length: elements.length }, (_, index) => elements.eq(index))
}

/** `xsi:nil="true"`: the element stands for no value. */
export function isNil(elements: XmlElements): boolean {
  const attributes = elements.get(0)?.attribs ?? {}
  return Object.entries(attributes).some(
    ([name, value]) => localName(name) === 'nil' && value.trim() === 'true',
  )
}
