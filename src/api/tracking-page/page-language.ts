export const PAGE_LANGUAGES = ['fr', 'en'] as const
export type PageLanguage = (typeof PAGE_LANGUAGES)[number]

/** The language of a page when nothing the visitor sent names one colis writes: the shops are French. */
export const DEFAULT_PAGE_LANGUAGE: PageLanguage = 'fr'

const isPageLanguage = (value: string): value is PageLanguage =>
  (PAGE_LANGUAGES as readonly string[]).includes(value)

/**
 * The page's language: `?lang=` when it names one (the page's own switch), else the first language of
 * `Accept-Language`, by quality, that colis writes (`fr-CA` reads French, `en-GB` English), else French.
 */
export function negotiatePageLanguage(
  query: string | undefined,
  acceptLanguage: string | undefined,
): PageLanguage {
  if (query !== undefined && isPageLanguage(query)) return query
  const ranges = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [range = '', ...params] = part.trim().split(';')
      const q = params.map((param) => param.trim().match(/^q=([01](?:\.\d{0,3})?)$/i)?.[1]).find(Boolean)
      return {
        primary: range.trim().toLowerCase().split('-')[0] ?? '',
        quality: q === undefined ? 1 : Number(q),
        index,
      }
    })
    .filter(({ quality }) => quality > 0)
    // Stable on ties: the order the visitor gave.
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
  return ranges.map(({ primary }) => primary).find(isPageLanguage) ?? DEFAULT_PAGE_LANGUAGE
}
