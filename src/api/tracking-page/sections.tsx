import { type CalendarDate, parisDateOfTimestamp } from '../../domain/business-calendar.js'
import type { DeliveryEstimate, Journey, Notice, PickupPoint, TimelineRow } from './page-facts.js'
import { formatDay, formatShortMoment, formatWindow, machineMoment, type PageLang } from './paris-dates.js'
import type { PageWording } from './wording.js'

/** What every section needs to write itself. */
export interface Writing {
  lang: PageLang
  nowMs: number
  wording: PageWording
}

/** A day as people read it, with its machine form. */
export function Day(props: { date: CalendarDate; writing: Writing }) {
  const { date, writing } = props
  return <time datetime={date}>{formatDay(date, writing.lang, writing.nowMs)}</time>
}

/** An estimate's text: a booked window when readable, else its day. */
export function writeEstimate(estimate: DeliveryEstimate, writing: Writing): string {
  const window = estimate.window && formatWindow(estimate.window, writing.lang, writing.nowMs)
  return window ?? formatDay(estimate.date, writing.lang, writing.nowMs)
}

export function EstimateTime(props: { estimate: DeliveryEstimate; writing: Writing }) {
  const { estimate, writing } = props
  const from = estimate.window ? Date.parse(estimate.window.from) : Number.NaN
  const datetime = Number.isNaN(from) ? estimate.date : machineMoment(from)
  return <time datetime={datetime}>{writeEstimate(estimate, writing)}</time>
}

export function Steps(props: { journey: Journey; writing: Writing }) {
  const { journey, writing } = props
  const labels = writing.wording.steps[journey.variant]
  return (
    <section aria-labelledby="steps-heading">
      <h2 id="steps-heading" class="visually-hidden">
        {writing.wording.stepsHeading}
      </h2>
      <ol class="steps">
        {journey.steps.map((state, index) => (
          <li class={state} aria-current={index === journey.current ? 'step' : undefined}>
            {state === 'done' ? <span class="visually-hidden">{writing.wording.stepDone}</span> : null}
            {labels[index]}
          </li>
        ))}
      </ol>
    </section>
  )
}

/** A notice's sentence, and whether it reports a problem rather than a delay. */
function writeNotice(notice: Notice, merchant: string, writing: Writing): { text: string; problem: boolean } {
  const { wording, lang, nowMs } = writing
  const day = (date: CalendarDate | undefined) =>
    date === undefined ? undefined : formatDay(date, lang, nowMs)
  switch (notice.kind) {
    case 'failed_attempt':
      return { text: wording.failedAttempt(notice.reason), problem: true }
    case 'exception':
      return { text: wording.exception(notice.reason), problem: true }
    case 'returned':
      return { text: wording.returned(merchant), problem: true }
    case 'late': {
      const newEstimate = notice.newEstimate && writeEstimate(notice.newEstimate, writing)
      const promised = day(notice.promised)
      const when = { ...(newEstimate ? { newEstimate } : {}), ...(promised ? { promised } : {}) }
      return { text: wording.late(when), problem: false }
    }
    case 'at_risk':
      return { text: wording.atRisk(writeEstimate(notice.newEstimate, writing)), problem: false }
    case 'stalled':
      return { text: wording.stalled(day(notice.since)), problem: false }
  }
}

export function Notices(props: { notices: readonly Notice[]; merchant: string; writing: Writing }) {
  const { notices, merchant, writing } = props
  return (
    <>
      {notices.map((notice) => {
        const { text, problem } = writeNotice(notice, merchant, writing)
        return <p class={problem ? 'notice problem' : 'notice'}>{text}</p>
      })}
    </>
  )
}

export function PickupPointSection(props: { point: PickupPoint; writing: Writing }) {
  const { point, writing } = props
  const { pickup } = writing.wording
  return (
    <section aria-labelledby="pickup-heading">
      <h2 id="pickup-heading">{pickup.heading}</h2>
      <dl>
        {point.name ? (
          <>
            <dt>{pickup.point}</dt>
            <dd>{point.name}</dd>
          </>
        ) : null}
        {point.place ? (
          <>
            <dt>{pickup.address}</dt>
            <dd>{point.place}</dd>
          </>
        ) : null}
        {point.lastCollectionDay ? (
          <>
            <dt>{pickup.lastDay}</dt>
            <dd>
              <Day date={point.lastCollectionDay} writing={writing} />
            </dd>
          </>
        ) : null}
      </dl>
      <p>{pickup.bring}</p>
    </section>
  )
}

/** The consumer's deadlines after delivery, each a `YYYY-MM-DD` Paris date. */
export interface ConsumerDeadlineDates {
  withdrawalUntil: string
  carrierProtestUntil: string
  conformityGuaranteeUntil: string
}

/** Left out entirely without deadlines; a date that is not one is left out alone. */
export function ConsumerDeadlinesSection(props: { deadlines?: ConsumerDeadlineDates; writing: Writing }) {
  const { deadlines, writing } = props
  if (!deadlines) return null
  const { deadlines: words } = writing.wording
  const rows: Array<[string, string]> = [
    [words.carrierProtest, deadlines.carrierProtestUntil],
    [words.withdrawal, deadlines.withdrawalUntil],
    [words.conformityGuarantee, deadlines.conformityGuaranteeUntil],
  ]
  return (
    <section aria-labelledby="deadlines-heading">
      <h2 id="deadlines-heading">{words.heading}</h2>
      <p class="muted">{words.intro}</p>
      <dl>
        {rows.map(([label, value]) => {
          const date = parisDateOfTimestamp(value)
          return date ? (
            <>
              <dt>{label}</dt>
              <dd>
                {words.until} <Day date={date} writing={writing} />
              </dd>
            </>
          ) : null
        })}
      </dl>
    </section>
  )
}

export function ShipmentSection(props: {
  carrierName: string
  trackingNumber: string
  carrierUrl: string | undefined
  orderId: string | undefined
  writing: Writing
}) {
  const { carrierName, trackingNumber, carrierUrl, orderId, writing } = props
  const { shipment } = writing.wording
  return (
    <section aria-labelledby="shipment-heading">
      <h2 id="shipment-heading">{shipment.heading}</h2>
      <dl>
        <dt>{shipment.carrier}</dt>
        <dd>{carrierName}</dd>
        <dt>{shipment.number}</dt>
        <dd>{trackingNumber}</dd>
        {orderId ? (
          <>
            <dt>{shipment.order}</dt>
            <dd>{orderId}</dd>
          </>
        ) : null}
      </dl>
      {carrierUrl ? (
        <p>
          <a href={carrierUrl} rel="noreferrer noopener">
            {shipment.link(carrierName)}
          </a>
        </p>
      ) : null}
    </section>
  )
}

export function TimelineSection(props: { rows: readonly TimelineRow[]; hidden: number; writing: Writing }) {
  const { rows, hidden, writing } = props
  const { timeline, event } = writing.wording
  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">{timeline.heading}</h2>
      {rows.length === 0 ? (
        <p>{timeline.empty}</p>
      ) : (
        <ol class="timeline">
          {rows.map((row) => {
            const label = event[row.status]
            const wording = row.carrierWording
            const showWording = wording !== undefined && wording.toLowerCase() !== label.toLowerCase()
            return (
              <li>
                <time datetime={machineMoment(row.instantMs)}>
                  {formatShortMoment(row.instantMs, writing.lang, writing.nowMs)}
                </time>
                <div>
                  <p>
                    <strong>{label}</strong>
                  </p>
                  {showWording ? <p>{wording}</p> : null}
                  {row.place ? <p class="muted">{row.place}</p> : null}
                </div>
              </li>
            )
          })}
        </ol>
      )}
      {hidden > 0 ? <p class="muted">{timeline.older(hidden)}</p> : null}
    </section>
  )
}
