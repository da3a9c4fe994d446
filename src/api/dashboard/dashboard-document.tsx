import type { Child } from 'hono/jsx'
import { PageHeader } from '../tracking-page/page-frame.js'
import type { PageLanguage } from '../tracking-page/page-language.js'
import { accentColour } from '../tracking-page/page-links.js'
import { PAGE_WORDING } from '../tracking-page/wording.js'
import { dashboardStyleSheet } from './dashboard-style.js'

/** How a dashboard page presents whoever it is for: the merchant once signed in, else colis itself. */
export interface DashboardBranding {
  displayName: string
  accentColor?: string
  logoUrl?: string
}

/**
 * A whole HTML document in the tracking page's frame (its header and language switch, its styles):
 * no script, nothing loaded but the merchant's logo from colis.
 */
export function DashboardDocument(props: {
  lang: PageLanguage
  title: string
  branding: DashboardBranding
  /** This page's own address, for the language switch (`?lang=` is set on it). */
  pageUrl: string
  children: Child
}) {
  const { lang, branding } = props
  const writing = { lang, nowMs: 0, wording: PAGE_WORDING[lang] }
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title}</title>
        <style
          dangerouslySetInnerHTML={{ __html: dashboardStyleSheet(accentColour(branding.accentColor)) }}
        />
      </head>
      <body>
        <PageHeader branding={branding} pageUrl={props.pageUrl} writing={writing} />
        <main>{props.children}</main>
      </body>
    </html>
  )
}

export function renderDocument(page: Child): string {
  const html: unknown = page?.toString()
  if (typeof html !== 'string') throw new Error('a dashboard page must render synchronously')
  return `<!DOCTYPE html>${html}`
}
