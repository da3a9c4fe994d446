import { languageUrl, mailtoUrl, sameOriginUrl, webUrl } from './page-links.js'
import type { PageLang } from './paris-dates.js'
import type { Writing } from './sections.js'

/** What the header and footer show of the merchant; the same fields as the page's `PageBranding`. */
interface MerchantBranding {
  displayName: string
  logoUrl?: string
  supportUrl?: string
  supportEmail?: string
}

const LANGUAGE_NAMES = { fr: 'Français', en: 'English' } as const satisfies Record<PageLang, string>
const LANGUAGES = Object.keys(LANGUAGE_NAMES) as PageLang[]

/** The merchant's name and logo, and the language switch: links to this page in each language. */
export function PageHeader(props: { branding: MerchantBranding; pageUrl: string; writing: Writing }) {
  const { branding, pageUrl, writing } = props
  const logo = sameOriginUrl(branding.logoUrl, pageUrl)
  return (
    <header>
      <p class="brand">
        {/* The name is written beside it: the logo adds nothing to read. */}
        {logo ? <img src={logo} alt="" /> : null}
        <span>{branding.displayName}</span>
      </p>
      <nav aria-label={writing.wording.languageNav}>
        <ul>
          {LANGUAGES.map((lang) => (
            <li>
              <a
                href={languageUrl(pageUrl, lang)}
                lang={lang}
                hreflang={lang}
                aria-current={lang === writing.lang ? 'true' : undefined}
              >
                {LANGUAGE_NAMES[lang]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </header>
  )
}

/** How to reach the merchant; left out when it gave no usable address. */
export function SupportFooter(props: { branding: MerchantBranding; writing: Writing }) {
  const { branding, writing } = props
  const supportUrl = webUrl(branding.supportUrl)
  const mailto = mailtoUrl(branding.supportEmail)
  if (!supportUrl && !mailto) return null
  const { support } = writing.wording
  return (
    <footer>
      <p>{support.question}</p>
      <ul>
        {supportUrl ? (
          <li>
            <a href={supportUrl} rel="noreferrer noopener">
              {support.contact(branding.displayName)}
            </a>
          </li>
        ) : null}
        {mailto ? (
          <li>
            <a href={mailto}>{branding.supportEmail}</a>
          </li>
        ) : null}
      </ul>
    </footer>
  )
}
