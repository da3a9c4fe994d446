import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { readUnsubscribeToken, secretMatches } from '../../email/unsubscribe-token.js'
import type { EmailLanguage, EmailSubscription } from '../../store/email-subscription-store.js'
import type { AppDeps } from '../app-deps.js'
import { ApiError, problemResponses } from '../problem.js'
import { createRouter } from '../router.js'

const TAGS = ['Shoppers']

const Params = z.object({
  token: z.string().openapi({ description: 'The token of the `List-Unsubscribe` link' }),
})

const htmlResponse = (description: string) => ({
  description,
  content: { 'text/html': { schema: z.string() } },
})

const PROBLEMS = problemResponses('not_found')

/** A dead link: a page for a browser, problem+json for anything else (a mail client's one-click POST). */
const GONE_RESPONSE = {
  ...PROBLEMS[404],
  description: 'Not a link colis gave out, or its notification is gone: the same answer whatever was wrong',
  content: { ...PROBLEMS[404].content, 'text/html': { schema: z.string() } },
}

const confirmRoute = createRoute({
  method: 'get',
  path: '/{token}',
  operationId: 'showUnsubscribe',
  tags: TAGS,
  summary: 'The page an unsubscribe link opens: one button, no JavaScript',
  request: { params: Params },
  responses: {
    200: htmlResponse('Asks for confirmation (or says the e-mails are stopped already)'),
    ...PROBLEMS,
    404: GONE_RESPONSE,
  },
})

const unsubscribeRoute = createRoute({
  method: 'post',
  path: '/{token}',
  operationId: 'unsubscribe',
  tags: TAGS,
  summary: "Stop a parcel's e-mails to this shopper (RFC 8058 one-click)",
  description:
    "What mail clients POST (`List-Unsubscribe=One-Click`) and what the page's button sends; any body " +
    'is accepted. Idempotent: the same link again gives the same answer.',
  request: { params: Params },
  responses: {
    200: htmlResponse('The e-mails are stopped'),
    ...PROBLEMS,
    404: GONE_RESPONSE,
  },
})

const TEXT = {
  fr: {
    title: 'Notifications de suivi de colis',
    ask: 'Ne plus recevoir d’e-mails sur ce colis ?',
    button: 'Me désabonner',
    done: 'C’est fait : vous ne recevrez plus d’e-mails sur ce colis.',
  },
  en: {
    title: 'Parcel tracking notifications',
    ask: 'Stop receiving e-mails about this parcel?',
    button: 'Unsubscribe',
    done: 'Done: you will receive no more e-mails about this parcel.',
  },
} as const satisfies Record<EmailLanguage, Record<string, string>>

const GONE = {
  lang: 'fr',
  text: 'Ce lien n’est pas (ou n’est plus) valide. — This link is not (or no longer) valid.',
}

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}

function page(lang: string, title: string, body: string): string {
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${title}</title><style>body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}` +
    'button{font:inherit;padding:.6rem 1.2rem;border:0;border-radius:.4rem;background:#1a4fa0;color:#fff;cursor:pointer}' +
    `button:focus{outline:3px solid #f4b400;outline-offset:2px}</style></head><body><main>${body}</main></body></html>`
  )
}

/**
 * One-click unsubscribe (RFC 8058), public: the token in the link is the only credential, checked
 * against its own subscription's secret. Every failure gives the same 404, whatever was wrong.
 */
export function unsubscribeRoutes(deps: Pick<AppDeps, 'emails' | 'now'>) {
  const now = deps.now ?? (() => new Date())

  async function subscriptionOf(token: string): Promise<EmailSubscription | undefined> {
    const parts = readUnsubscribeToken(token)
    if (!parts) return undefined
    const subscription = await deps.emails.get(parts.trackingId, parts.subscriptionId)
    return subscription && secretMatches(parts.secret, subscription.unsubscribeSecret)
      ? subscription
      : undefined
  }

  const answer = (c: Context, status: 200 | 404, html: string) =>
    c.body(html, status, HEADERS) as unknown as ReturnType<typeof c.html>
  const gone = (c: Context) => {
    if (!/\btext\/html\b/.test(c.req.header('accept') ?? '')) throw new ApiError('not_found', 'no such link')
    return answer(c, 404, page(GONE.lang, GONE.text, `<p>${GONE.text}</p>`))
  }

  return createRouter()
    .openapi(confirmRoute, async (c) => {
      const subscription = await subscriptionOf(c.req.valid('param').token)
      if (!subscription) return gone(c)
      const text = TEXT[subscription.lang]
      const body = subscription.unsubscribedAt
        ? `<h1>${text.title}</h1><p>${text.done}</p>`
        : `<h1>${text.title}</h1><p>${text.ask}</p><form method="post"><button type="submit">${text.button}</button></form>`
      return answer(c, 200, page(subscription.lang, text.title, body))
    })
    .openapi(unsubscribeRoute, async (c) => {
      const subscription = await subscriptionOf(c.req.valid('param').token)
      if (!subscription) return gone(c)
      await deps.emails.unsubscribe(subscription.trackingId, subscription.id, now().toISOString())
      const text = TEXT[subscription.lang]
      return answer(c, 200, page(subscription.lang, text.title, `<h1>${text.title}</h1><p>${text.done}</p>`))
    })
}
