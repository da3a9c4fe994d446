import type { CarrierSnapshot, DeliveryWindow } from '../domain/carrier-snapshot.js'
import { PARIS } from '../domain/paris-time.js'
import type { EventLocation } from '../domain/tracking-event.js'
import type { TrackingStatus } from '../domain/tracking-status.js'
import { type Language, LOCALE_BY_LANGUAGE } from './language.js'
import type { Paint } from './terminal-colour.js'
import { STATUS_LABELS, STATUS_STYLES, TIMELINE_TEXT } from './timeline-text.js'

export interface TimelineOptions {
  language: Language
  paint: Paint
  /** The carrier's display name; its id otherwise. */
  carrierName?: string
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/

function formatEventTime(iso: string, language: Language): string {
  const instant = Date.parse(iso)
  if (Number.isNaN(instant)) return iso
  return new Intl.DateTimeFormat(LOCALE_BY_LANGUAGE[language], {
    timeZone: PARIS,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(instant)
}

/** A carrier estimate is a calendar day (shown as is) or an instant (shown in Paris time). */
function formatEstimate(text: string, language: Language): string {
  const locale = LOCALE_BY_LANGUAGE[language]
  const day = text.match(DATE_ONLY)
  if (day) {
    const noonUtc = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]), 12)
    const options = {
      timeZone: 'UTC',
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
    } as const
    return new Intl.DateTimeFormat(locale, options).format(noonUtc)
  }
  const instant = Date.parse(text)
  if (Number.isNaN(instant)) return text
  return new Intl.DateTimeFormat(locale, { timeZone: PARIS, dateStyle: 'full', timeStyle: 'short' }).format(
    instant,
  )
}

/** A booked window's hours in Paris time: `10:00–12:00`. */
function formatWindow(window: DeliveryWindow, language: Language): string {
  const clock = new Intl.DateTimeFormat(LOCALE_BY_LANGUAGE[language], {
    timeZone: PARIS,
    hour: '2-digit',
    minute: '2-digit',
  })
  const [from, to] = [window.from, window.to].map((time) => Date.parse(time))
  if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to)) return ''
  return `, ${clock.format(from)}–${clock.format(to)}`
}

function countryName(code: string, language: Language): string {
  try {
    return new Intl.DisplayNames([LOCALE_BY_LANGUAGE[language]], { type: 'region' }).of(code) ?? code
  } catch {
    return code
  }
}

function formatPlace(location: EventLocation | undefined, language: Language): string {
  if (!location) return ''
  const town = [location.postalCode, location.city].filter(Boolean).join(' ')
  const country = location.countryCode ? countryName(location.countryCode, language) : undefined
  return [location.name, town, country].filter(Boolean).join(', ')
}

/** A readable timeline for a terminal, oldest scan first like a carrier's own page. */
export function renderTimeline(
  snapshot: CarrierSnapshot,
  status: TrackingStatus,
  { language, paint, carrierName }: TimelineOptions,
): string {
  const text = TIMELINE_TEXT[language]
  const labels = STATUS_LABELS[language]
  const lines = [
    `${paint('bold', snapshot.trackingNumber)} · ${carrierName ?? snapshot.carrier}`,
    `${text.status} ${paint(['bold', STATUS_STYLES[status]], labels[status])}`,
  ]
  if (snapshot.estimatedDelivery) {
    const window = snapshot.estimatedDeliveryWindow
    const hours = window ? formatWindow(window, language) : ''
    lines.push(`${text.estimatedDelivery} ${formatEstimate(snapshot.estimatedDelivery, language)}${hours}`)
  }
  lines.push('')
  if (snapshot.events.length === 0) {
    lines.push(text.noEvents)
    return lines.join('\n')
  }
  lines.push(paint('dim', text.history))
  const rows = snapshot.events.map((event) => ({
    time: formatEventTime(event.occurredAt, language),
    label: labels[event.status],
    style: STATUS_STYLES[event.status],
    description: event.description,
    place: formatPlace(event.location, language),
  }))
  const timeWidth = Math.max(...rows.map((row) => row.time.length))
  const labelWidth = Math.max(...rows.map((row) => row.label.length))
  for (const row of rows) {
    const place = row.place ? paint('dim', ` — ${row.place}`) : ''
    lines.push(
      `  ${paint('dim', row.time.padEnd(timeWidth))}  ${paint(row.style, row.label.padEnd(labelWidth))}  ${row.description}${place}`,
    )
  }
  return lines.join('\n')
}
