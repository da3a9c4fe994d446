import type { Config } from '../config.js'

export const LANGUAGES = ['fr', 'en'] as const
export type Language = (typeof LANGUAGES)[number]

/** BCP 47 tags for Intl: British English for day-month order and a 24-hour clock, like the French. */
export const LOCALE_BY_LANGUAGE = { fr: 'fr-FR', en: 'en-GB' } as const satisfies Record<Language, string>

export function parseLanguage(text: string): Language | undefined {
  return LANGUAGES.find((language) => language === text.trim().toLowerCase())
}

/** French when the POSIX locale (LC_ALL first, as POSIX orders them, then LANG) is French; else English. */
export function defaultLanguage(config: Pick<Config, 'LC_ALL' | 'LANG'>): Language {
  return /^fr/i.test(config.LC_ALL ?? config.LANG ?? '') ? 'fr' : 'en'
}
