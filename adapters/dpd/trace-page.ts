import { type CheerioAPI, load } from 'cheerio'
import { type CarrierHttp, type HttpResponse, parseRetryAfterMs } from '../carrier-http.js'
import { CarrierError } from '../contract.js'
import { challengeError, isChallengeBody, isChallengeResponse } from './cloudflare.js'
import { DPD_PAGE_ROW_SCHEMA, type DpdAnswer, type DpdRawEvent } from './raw-schema.js'
import { foldDpdWording } from './status-patterns.js'
import { DPD_DEFAULT_RETRY_AFTER_MS } from './webtrace.js'

export interface TracePageOptions {
  http: CarrierHttp
  /** The page's root, e.g. `https://trace.dpd.fr`; the parcel is at `/fr/trace/{number}`. */
  traceUrl: string
}

const LEGS = [
  { rows: '#tableTrace tr.tabTraceColisAller', title: '.parcelNumberAller', infos: '#infos1' },
  { rows: '#tableTrace tr.tabTraceColisRetour', title: '.parcelNumberRetour', infos: '#infos2' },
] as const

const NOT_FOUND = /\bpas en mesure de retrouver le numero de colis\b|\bnumero de colis inconnu\b/
const PAGE_END = /<\/html\s*>\s*$/i
const TRACKING_MARKUP = /tableTrace|parcelNumber(?:Aller|Retour)/
const PARCEL_NUMBER = /\b(\d{12,16})\b/

/** trace.dpd.fr, the public recipient page: best-effort, often behind a Cloudflare challenge. */
export function createTracePageSource(options: TracePageOptions) {
  const root = options.traceUrl.replace(/\/+$/, '')
  const host = new URL(root).host
  return {
    async fetchAnswers(parcelNumber: string, signal?: AbortSignal): Promise<DpdAnswer[]> {
      const url = `${root}/fr/trace/${encodeURIComponent(parcelNumber)}`
      const headers = { Accept: 'text/html', 'Accept-Language': 'fr-FR,fr;q=0.9' }
      return readResponse(host, await options.http.request(url, { headers }, signal))
    },
  }
}

function readResponse(host: string, response: HttpResponse): DpdAnswer[] {
  const { status } = response
  if (isChallengeResponse(response)) throw challengeError(host)
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after')) ?? DPD_DEFAULT_RETRY_AFTER_MS
    throw new CarrierError('rate_limited', `${host} asks to slow down`, { retryAfterMs })
  }
  // The page needs no credentials: a refusal is the site blocking us, which may pass, not a key to fix.
  if (status === 403 || status >= 500)
    throw new CarrierError('unavailable', `${host} answered HTTP ${status}`)
  if (status === 200 || status === 404) return readTracePage(response.text)
  throw new CarrierError('unexpected_response', `${host} answered HTTP ${status}`)
}

/**
 * Reads a trace.dpd.fr page: one answer per leg it shows (the outbound parcel, the return parcel DPD
 * numbers apart), each with the number the page gives it, its events or its own error; a Cloudflare
 * challenge or a "no such parcel" page as a lone error. Throws `unexpected_response` for anything
 * else, and for a tracking page cut short.
 */
export function readTracePage(text: string): DpdAnswer[] {
  if (isChallengeBody(text)) return [{ error: challengeError('trace.dpd.fr') }]
  // Cheap look first: most bodies that are no tracking page never reach the HTML parser.
  const $ = TRACKING_MARKUP.test(text) || /colis/i.test(text) ? load(text) : undefined
  const shown = $ ? LEGS.filter((leg) => $(leg.rows).length > 0 || $(leg.title).length > 0) : []
  if (!$ || shown.length === 0) {
    if ($ && NOT_FOUND.test(foldDpdWording($.root().text()))) {
      return [{ error: new CarrierError('not_found', 'DPD France does not know this number yet') }]
    }
    throw new CarrierError(
      'unexpected_response',
      'DPD answer is no Webtrace_Service answer and no trace.dpd.fr page',
    )
  }
  // Markup is read whatever is missing: a page cut short would otherwise read as a shorter history.
  if (!PAGE_END.test(text)) throw new CarrierError('unexpected_response', 'trace.dpd.fr page is cut short')
  return shown.map((leg) => ({
    trackingNumber: readLegNumber($, leg.title, leg.infos),
    ...readRows($, leg.rows),
  }))
}

/** "Votre colis 250803383035673", else the "N° colis" line of the leg's information block. */
function readLegNumber($: CheerioAPI, title: string, infos: string): string | undefined {
  const fromTitle = PARCEL_NUMBER.exec($(title).first().text())?.[1]
  if (fromTitle) return fromTitle
  const line = $(`${infos} ul.tableInfosAR`)
    .toArray()
    .find((ul) =>
      /^(n|no|nº|numero|numero de) colis$/.test(foldDpdWording($(ul).find('strong').first().text())),
    )
  return line ? PARCEL_NUMBER.exec($(line).find('.tdInfos').first().text())?.[1] : undefined
}

function readRows($: CheerioAPI, selector: string): { events: DpdRawEvent[] } | { error: CarrierError } {
  const events: DpdRawEvent[] = []
  for (const row of $(selector).toArray()) {
    const cells = $(row)
      .children('td')
      .toArray()
      .map((cell) => $(cell).text())
    const parsed = DPD_PAGE_ROW_SCHEMA.safeParse({
      date: cells[0],
      time: cells[1],
      description: cells[2],
      place: cells[3],
      sort: $(row).attr('data-sort'),
    })
    if (!parsed.success) {
      return {
        error: new CarrierError('unexpected_response', 'trace.dpd.fr row is off-format', {
          cause: parsed.error,
        }),
      }
    }
    const { date, time, description, place, sort } = parsed.data
    events.push({
      description,
      date,
      time,
      ...(sort === undefined ? {} : { epochSeconds: sort }),
      ...(place ? { place } : {}),
    })
  }
  if (events.length === 0) return { error: new CarrierError('not_found', 'DPD France shows no event yet') }
  return { events }
}
