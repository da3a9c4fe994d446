import type { AlertType } from '../../domain/alert.js'
import { isoWeekMonday } from '../../domain/analytics/analytics-cell.js'
import type { DashboardFigures } from '../../domain/analytics/dashboard-figures.js'
import { addCalendarDays } from '../../domain/business-calendar.js'
import type { PageLanguage } from '../tracking-page/page-language.js'
import { formatDay } from '../tracking-page/paris-dates.js'
import { AlertsSection } from './alerts-section.js'
import {
  DestinationsSection,
  OnTimeSection,
  Scorecard,
  type SectionWriting,
  TransitSection,
} from './analytics-sections.js'
import { type DashboardBranding, DashboardDocument, renderDocument } from './dashboard-document.js'
import { DASHBOARD_WORDING } from './dashboard-wording.js'

/** The periods the page links to; `?weeks=` may name any other up to a year's ISO weeks. */
export const WEEK_CHOICES = [4, 12, 26, 52] as const

export interface DashboardPageInput {
  lang: PageLanguage
  nowMs: number
  /** The dashboard's path (PUBLIC_BASE_URL's path, then `/dashboard`). */
  path: string
  branding: DashboardBranding
  /** The token the sign-out form carries: the session's. */
  csrfToken: string
  weeks: number
  figures: DashboardFigures
  openAlerts: Record<AlertType, number>
  carrierName(id: string): string
}

/** The signed-in merchant's dashboard: its carriers' record over the weeks chosen, and its open alerts. */
export function renderDashboardPage(input: DashboardPageInput): string {
  const { lang, figures, path } = input
  const words = DASHBOARD_WORDING[lang]
  const writing: SectionWriting = { lang, words, carrierName: input.carrierName }
  const { fromWeek, toWeek } = figures.window
  const from = formatDay(isoWeekMonday(fromWeek), lang, input.nowMs)
  const to = formatDay(addCalendarDays(isoWeekMonday(toWeek), 6), lang, input.nowMs)
  const pageUrl = `${path}?weeks=${input.weeks}`
  return renderDocument(
    <DashboardDocument
      lang={lang}
      title={words.title(input.branding.displayName)}
      branding={input.branding}
      pageUrl={pageUrl}
    >
      <div class="session">
        <p>{words.signedInAs(input.branding.displayName)}</p>
        <form method="post" action={`${path}/logout?lang=${lang}`}>
          <input type="hidden" name="csrf" value={input.csrfToken} />
          <button type="submit" class="secondary">
            {words.signOut}
          </button>
        </form>
      </div>
      <h1>{words.heading}</h1>
      <p>{words.period(from, to, figures.weeks.length)}</p>
      <nav class="weeks" aria-label={words.weeksNav}>
        <ul>
          {WEEK_CHOICES.map((weeks) => (
            <li>
              <a
                href={`${path}?weeks=${weeks}&lang=${lang}`}
                aria-current={weeks === input.weeks ? 'page' : undefined}
              >
                {words.weeksOption(weeks)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {figures.totals.parcels === 0 ? (
        <p class="notice">{words.empty}</p>
      ) : (
        <>
          <Scorecard figures={figures} writing={writing} />
          <OnTimeSection figures={figures} writing={writing} />
          <TransitSection figures={figures} writing={writing} />
          <DestinationsSection figures={figures} writing={writing} />
        </>
      )}
      <AlertsSection counts={input.openAlerts} writing={writing} />
    </DashboardDocument>,
  )
}
