import type { PageLanguage } from '../tracking-page/page-language.js'
import { DashboardDocument, renderDocument } from './dashboard-document.js'
import { DASHBOARD_WORDING, type SignInNotice } from './dashboard-wording.js'

/** Before sign-in, the pages present colis itself: no merchant is known yet. */
const COLIS = { displayName: 'colis' }

/** The sign-in form: an API key, exchanged for a session cookie; the form carries its CSRF token. */
export function renderSignInPage(input: {
  lang: PageLanguage
  /** The dashboard's path (PUBLIC_BASE_URL's path, then `/dashboard`). */
  path: string
  formToken: string
  idleMinutes: number
  notice?: SignInNotice
}): string {
  const { lang, notice } = input
  const words = DASHBOARD_WORDING[lang]
  return renderDocument(
    <DashboardDocument lang={lang} title={words.signInTitle} branding={COLIS} pageUrl={input.path}>
      <h1>{words.signInTitle}</h1>
      {notice ? (
        <p class="notice problem" role="alert" id="notice">
          {words.notices[notice]}
        </p>
      ) : null}
      <p>{words.signInIntro(input.idleMinutes)}</p>
      <form method="post" action={`${input.path}/session?lang=${lang}`}>
        <input type="hidden" name="csrf" value={input.formToken} />
        <label for="api-key">{words.apiKey}</label>
        <span class="hint" id="api-key-hint">
          {words.apiKeyHint}
        </span>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          required
          maxlength={256}
          autocomplete="off"
          spellcheck={false}
          autocapitalize="off"
          aria-describedby={notice ? 'api-key-hint notice' : 'api-key-hint'}
        />
        <button type="submit">{words.signIn}</button>
      </form>
    </DashboardDocument>,
  )
}

/** A short page that says why nothing happened, with the way back to the dashboard. */
export function renderRefusalPage(input: { lang: PageLanguage; path: string; kind: 'refused' | 'too_many' }) {
  const words = DASHBOARD_WORDING[input.lang]
  const [title, text] =
    input.kind === 'refused' ? [words.refusedTitle, words.refused] : [words.tooManyTitle, words.tooMany]
  return renderDocument(
    <DashboardDocument lang={input.lang} title={title} branding={COLIS} pageUrl={input.path}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href={`${input.path}?lang=${input.lang}`}>{words.backToDashboard}</a>
      </p>
    </DashboardDocument>,
  )
}
