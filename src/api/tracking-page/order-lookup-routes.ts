import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { isSamePostalCode } from '../../domain/destination.js'
import type { TrackingRecord } from '../../domain/tracking.js'
import { MERCHANT_PATTERN } from '../../store/api-key-store.js'
import type { ApiEnv } from '../api-env.js'
import type { AppDeps } from '../app-deps.js'
import { clientAddress } from '../middleware/client-address.js'
import type { AuthFailureGuard } from '../middleware/rate-limit.js'
import { createGuessThrottle } from './guess-throttle.js'
import {
  type LookupBranding,
  type LookupNotice,
  renderLookupTooManyAttempts,
  renderOrderLookupForm,
  renderOrderParcels,
} from './order-lookup-page.js'
import { etagOf, matchesEtag, PAGE_HEADERS, PAGE_NOT_FOUND, pageHeaders } from './page-answers.js'
import { pageBranding } from './page-branding.js'
import { negotiatePageLanguage, type PageLanguage } from './page-language.js'
import { trackingPageUrl } from './page-url.js'

/** Where shoppers look an order up: `/track/{merchantId}`, the link a merchant gives. */
export const ORDER_LOOKUP_PATH = '/track'

/** Two short fields, percent-encoded: anything longer is no lookup. */
const LOOKUP_BODY_LIMIT_BYTES = 4 * 1024

/** An answer to a lookup: never cached, never indexed, in the language it was asked in. */
const lookupHeaders = (lang: PageLanguage) => ({
  ...PAGE_HEADERS,
  'cache-control': 'no-store',
  'content-language': lang,
  vary: 'Accept-Language',
})

async function readFields(c: Context<ApiEnv>): Promise<{ orderId: string; postalCode: string }> {
  const type = c.req.header('content-type') ?? ''
  const form = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)
    ? new URLSearchParams(await c.req.text())
    : new URLSearchParams()
  return { orderId: (form.get('orderId') ?? '').trim(), postalCode: (form.get('postalCode') ?? '').trim() }
}

/**
 * `GET /track/{merchantId}`: a form where a shopper who has only an order number finds its parcel's
 * page; `POST` looks it up. Order ids are unique per merchant only, hence one form per merchant. Any
 * lookup that finds nothing (no such merchant, no such order, another postal code, a parcel registered
 * without one) gets the same page, and counts as a failed authentication of its address, like a wrong
 * page token (see guess-throttle.ts): order ids cannot be enumerated.
 */
export function orderLookupRoutes(deps: AppDeps, guard: AuthFailureGuard | undefined) {
  const throttle = createGuessThrottle(guard)
  const trustProxy = deps.trustProxy === true
  const languageOf = (c: Context<ApiEnv>) =>
    negotiatePageLanguage(c.req.query('lang'), c.req.header('accept-language'))
  const brandingFor = async (merchantId: string) =>
    pageBranding(merchantId, (await deps.merchantSettings.get(merchantId))?.branding, deps.publicBaseUrl)

  const tooManyAttempts = (c: Context<ApiEnv>, lang: PageLanguage, blockMs: number) =>
    c.body(renderLookupTooManyAttempts(lang), 429, {
      ...lookupHeaders(lang),
      'retry-after': String(Math.max(1, Math.ceil(blockMs / 1000))),
    })

  const formAgain = (
    c: Context<ApiEnv>,
    lang: PageLanguage,
    branding: LookupBranding,
    notice: LookupNotice,
  ) =>
    c.body(
      renderOrderLookupForm({ lang, branding, notice }),
      notice === 'not_found' ? 404 : 400,
      lookupHeaders(lang),
    )

  /**
   * The parcels of the order that go to the postal code given; the store bounds how many. An order id
   * no registration takes is asked about all the same: every lookup that finds nothing costs the same.
   */
  const findParcels = async (merchantId: string, orderId: string, postalCode: string) => {
    const parcels = await deps.store.findByOrder(merchantId, orderId)
    return parcels.filter((record) => isSamePostalCode(record.destinationPostalCode, postalCode))
  }

  const pageOf = (record: TrackingRecord, lang: PageLanguage) =>
    `${trackingPageUrl(deps.publicBaseUrl, record.pageToken)}?lang=${lang}`

  return new Hono<ApiEnv>()
    .use('/:merchantId', (c, next) =>
      // No merchant can have that id: nothing to look up, no branding to read.
      MERCHANT_PATTERN.test(c.req.param('merchantId'))
        ? next()
        : Promise.resolve(c.body(PAGE_NOT_FOUND.body, 404, PAGE_NOT_FOUND.headers)),
    )
    .get('/:merchantId', async (c) => {
      const merchantId = c.req.param('merchantId')
      const lang = languageOf(c)
      const html = renderOrderLookupForm({ lang, branding: await brandingFor(merchantId) })
      const etag = etagOf(html)
      const headers = pageHeaders(lang, etag)
      if (matchesEtag(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers)
      return c.body(html, 200, headers)
    })
    .post(
      '/:merchantId',
      bodyLimit({
        maxSize: LOOKUP_BODY_LIMIT_BYTES,
        onError: async (c) => {
          const lang = languageOf(c)
          const branding = await brandingFor(c.req.param('merchantId') ?? '')
          return c.body(
            renderOrderLookupForm({ lang, branding, notice: 'missing_fields' }),
            413,
            lookupHeaders(lang),
          )
        },
      }),
      async (c) => {
        const merchantId = c.req.param('merchantId')
        const lang = languageOf(c)
        const address = clientAddress(c, trustProxy)
        const known = throttle.knownBlockMs(address)
        if (known !== undefined) return tooManyAttempts(c, lang, known)
        const { orderId, postalCode } = await readFields(c)
        if (orderId === '' || postalCode === '') {
          return formAgain(c, lang, await brandingFor(merchantId), 'missing_fields')
        }
        // Together, whatever the answer: an unknown merchant costs what a wrong postal code does.
        const [blockMs, branding, parcels] = await Promise.all([
          throttle.blockMs(address),
          brandingFor(merchantId),
          findParcels(merchantId, orderId, postalCode),
        ])
        if (blockMs !== undefined) return tooManyAttempts(c, lang, blockMs)
        const [only, ...others] = parcels
        if (!only) {
          await throttle.fail(address)
          return formAgain(c, lang, branding, 'not_found')
        }
        if (others.length === 0) {
          return c.body(null, 303, { ...lookupHeaders(lang), location: pageOf(only, lang) })
        }
        const listed = parcels.map((record) => ({
          pageUrl: pageOf(record, lang),
          carrierName: deps.carriers.get(record.carrier)?.name ?? record.carrier,
          trackingNumber: record.trackingNumber,
          status: record.status,
        }))
        return c.body(renderOrderParcels({ lang, branding, parcels: listed }), 200, lookupHeaders(lang))
      },
    )
}
