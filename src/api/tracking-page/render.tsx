import type { Child } from 'hono/jsx'
import type { TrackingRecord } from '../../domain/tracking.js'
import type { TrackingEvent } from '../../domain/tracking-event.js'
import {
  type Journey,
  type PickupPoint,
  readDeliveredAtMs,
  readEstimate,
  readJourney,
  readNotices,
  readPickupPoint,
  readTimeline,
} from './page-facts.js'
import { PageHeader, SupportFooter } from './page-frame.js'
import { accentColour, webUrl } from './page-links.js'
import { pageStyleSheet } from './page-style.js'
import { formatDay, formatMoment, machineMoment } from './paris-dates.js'
import {
  type ConsumerDeadlineDates,
  ConsumerDeadlinesSection,
  Day,
  EstimateTime,
  Notices,
  PickupPointSection,
  ShipmentSection,
  Steps,
  TimelineSection,
  type Writing,
} from './sections.js'
import { PAGE_WORDING } from './wording.js'

export type { ConsumerDeadlineDates } from './sections.js'

export interface PageBranding {
  displayName: string
  accentColor?: string
  logoUrl?: string
  supportUrl?: string
  supportEmail?: string
}

export interface TrackingPageInput {
  record: TrackingRecord
  events: readonly TrackingEvent[]
  lang: 'fr' | 'en'
  nowMs: number
  carrierName: string
  /** The carrier's own public tracking page for this number. */
  carrierTrackingUrl?: string
  branding: PageBranding
  showOrderId: boolean
  /** This page's own address, for the language switch (`?lang=` is set on it). */
  pageUrl: string
  /**
   * The consumer's deadlines, for a delivered parcel: the section is left out without them. The caller
   * computes them from `deliveredAt` and the destination.
   */
  consumerDeadlines?: ConsumerDeadlineDates
  /** colis' forecast for a parcel on its way (days `YYYY-MM-DD`, Paris), when its history allows one. */
  deliveryForecast?: PageForecast
}

export interface PageForecast {
  from: string
  to: string
  probability: number
}

/** Timeline rows a page shows at most: the newest; the page says how many older ones it leaves out. */
export const MAX_TIMELINE_ROWS = 100

/** A whole HTML5 document: no script, no request but the merchant's logo, every carrier string escaped. */
export function renderTrackingPage(input: TrackingPageInput): string {
  const html: unknown = (<TrackingPage input={input} />).toString()
  if (typeof html !== 'string') throw new Error('the tracking page must render synchronously')
  return `<!DOCTYPE html>${html}`
}

function TrackingPage(props: { input: TrackingPageInput }) {
  const { input } = props
  const { record, events, branding } = input
  const writing: Writing = { lang: input.lang, nowMs: input.nowMs, wording: PAGE_WORDING[input.lang] }
  const { wording } = writing
  const journey = readJourney(record, events)
  const rows = readTimeline(events, MAX_TIMELINE_ROWS)
  const pickupPoint = readPickupPoint(record, events)
  const deadlines = record.status === 'delivered' ? input.consumerDeadlines : undefined
  return (
    <html lang={input.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <meta name="referrer" content="no-referrer" />
        <title>{wording.title(branding.displayName)}</title>
        <style dangerouslySetInnerHTML={{ __html: pageStyleSheet(accentColour(branding.accentColor)) }} />
      </head>
      <body>
        <PageHeader branding={branding} pageUrl={input.pageUrl} writing={writing} />
        <main>
          <h1>{wording.headline[journey.headline]}</h1>
          <Summary input={input} journey={journey} pickupPoint={pickupPoint} writing={writing} />
          {journey.progressing ? <Steps journey={journey} writing={writing} /> : null}
          {pickupPoint ? <PickupPointSection point={pickupPoint} writing={writing} /> : null}
          <ConsumerDeadlinesSection deadlines={deadlines} writing={writing} />
          <ShipmentSection
            carrierName={input.carrierName}
            trackingNumber={record.trackingNumber}
            carrierUrl={webUrl(input.carrierTrackingUrl)}
            orderId={input.showOrderId ? record.orderId : undefined}
            writing={writing}
          />
          <TimelineSection rows={rows} hidden={Math.max(0, events.length - rows.length)} writing={writing} />
        </main>
        <SupportFooter branding={branding} writing={writing} />
      </body>
    </html>
  )
}

/** The one line under the headline, then the problems and delays. */
function Summary(props: {
  input: TrackingPageInput
  journey: Journey
  pickupPoint: PickupPoint | undefined
  writing: Writing
}) {
  const { input, journey, pickupPoint, writing } = props
  const estimate = readEstimate(input.record, input.nowMs)
  const notices = readNotices(input.record, input.events, estimate)
  // A delay notice already gives the new estimate.
  const estimateInNotice = notices.some(
    (notice) => notice.kind === 'at_risk' || (notice.kind === 'late' && notice.newEstimate),
  )
  const deliveredAtMs = readDeliveredAtMs(input.record, input.events)
  const { wording } = writing
  let lead: Child = null
  if (deliveredAtMs !== undefined) {
    lead = (
      <p class="lead">
        {journey.headline === 'collected' ? wording.collectedOn : wording.deliveredOn}{' '}
        <time datetime={machineMoment(deliveredAtMs)}>
          {formatMoment(deliveredAtMs, writing.lang, writing.nowMs)}
        </time>
      </p>
    )
  } else if (pickupPoint?.lastCollectionDay) {
    lead = (
      <p class="lead">
        {wording.collectBy} <Day date={pickupPoint.lastCollectionDay} writing={writing} />
      </p>
    )
  } else if (pickupPoint) {
    lead = <p class="lead">{wording.collectSoon}</p>
  } else if (estimate && !estimateInNotice) {
    lead = (
      <p class="lead">
        {wording.estimate[estimate.source]} <EstimateTime estimate={estimate} writing={writing} />
      </p>
    )
  }
  const forecast = deliveredAtMs === undefined && !pickupPoint ? input.deliveryForecast : undefined
  return (
    <>
      {lead}
      {forecast && <ForecastLine forecast={forecast} writing={writing} />}
      <Notices notices={notices} merchant={input.branding.displayName} writing={writing} />
    </>
  )
}

/** colis' forecast from past parcels: shown beside the carrier's estimate, never in its place. */
function ForecastLine(props: { forecast: PageForecast; writing: Writing }) {
  const { forecast, writing } = props
  const chances = Math.round(forecast.probability * 10)
  const from = formatDay(forecast.from, writing.lang, writing.nowMs)
  const to = forecast.to === forecast.from ? undefined : formatDay(forecast.to, writing.lang, writing.nowMs)
  return <p class="forecast">{writing.wording.forecast(to ? { from, to } : { from }, chances)}</p>
}
