import { addCalendarDays, type CalendarDate, parisDateOf } from '../../domain/business-calendar.js'
import type { DeliveryWindow } from '../../domain/carrier-snapshot.js'
import { formatInZone } from '../../domain/paris-time.js'
import { boundedMemo } from './bounded-memo.js'

export type PageLang = 'fr' | 'en'

/** How long a day is written: `mardi 8 décembre` or `mar. 8 déc.`. */
type DayWidth = 'long' | 'short'

const LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const satisfies Record<PageLang, string>

const dayFormatters = new Map<string, Intl.DateTimeFormat>()

function dayFormatter(lang: PageLang, width: DayWidth): Intl.DateTimeFormat {
  const key = `${lang}|${width}`
  let formatter = dayFormatters.get(key)
  if (!formatter) {
    // A calendar date is formatted at noon UTC in UTC: the same day whatever the host's zone.
    formatter = new Intl.DateTimeFormat(LOCALES[lang], {
      timeZone: 'UTC',
      weekday: width,
      day: 'numeric',
      month: width,
    })
    dayFormatters.set(key, formatter)
  }
  return formatter
}

/**
 * A Paris calendar date as people read it: `mardi 8 décembre`, `vendredi 1er janvier`, `Tuesday 8
 * December`; the year only when it is not the current one (`nowMs`, Paris).
 */
export function formatDay(
  date: CalendarDate,
  lang: PageLang,
  nowMs: number,
  width: DayWidth = 'long',
): string {
  const words = dayWords(`${lang}|${width}|${date}`)
  return date.slice(0, 4) === parisYearOf(nowMs) ? words : `${words} ${date.slice(0, 4)}`
}

/** The Paris year at the last `nowMs` asked about: a page asks once per date it writes, always at one `nowMs`. */
let lastYear = { nowMs: Number.NaN, year: '' }

function parisYearOf(nowMs: number): string {
  if (lastYear.nowMs !== nowMs) lastYear = { nowMs, year: parisDateOf(nowMs).slice(0, 4) }
  return lastYear.year
}

/** `mardi 8 décembre` of `fr|long|2026-12-08`: Intl's formatting is a page's dearest step, and days recur. */
const dayWords = boundedMemo((key) => {
  const [lang, width, date] = key.split('|') as [PageLang, DayWidth, CalendarDate]
  const [year, month, day] = date.split('-').map(Number)
  const parts = dayFormatter(lang, width).formatToParts(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, 12))
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? ''
  const dayNumber = lang === 'fr' && day === 1 ? '1er' : String(day)
  return [part('weekday'), dayNumber, part('month')].join(' ')
}, 4_000)

interface WallTime {
  date: CalendarDate
  hour: number
  minute: number
}

function wallTimeOf(instantMs: number): WallTime {
  const written = machineMoment(instantMs)
  return {
    date: written.slice(0, 10),
    hour: Number(written.slice(11, 13)),
    minute: Number(written.slice(14, 16)),
  }
}

/** French typography keeps the hour and its unit on one line. */
const NBSP = '\u00a0'

/** `10 h`, `10 h 30`, `minuit` / `10 am`, `10:30 am`, `12 pm`, `midnight`. */
function formatClock(time: WallTime, lang: PageLang): string {
  const { hour, minute } = time
  if (hour === 0 && minute === 0) return lang === 'fr' ? 'minuit' : 'midnight'
  if (lang === 'fr') return minute === 0 ? `${hour}${NBSP}h` : `${hour}${NBSP}h${NBSP}${pad(minute)}`
  const hour12 = hour % 12 === 0 ? 12 : hour % 12
  const suffix = hour < 12 ? 'am' : 'pm'
  return minute === 0 ? `${hour12}${NBSP}${suffix}` : `${hour12}:${pad(minute)}${NBSP}${suffix}`
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}

/** The hour of an instant in Paris: `10 h 30` / `10:30 am`. */
export function formatTime(instantMs: number, lang: PageLang): string {
  return formatClock(wallTimeOf(instantMs), lang)
}

/** `mardi 8 décembre à 10 h 30` / `Tuesday 8 December at 10:30 am`. */
export function formatMoment(instantMs: number, lang: PageLang, nowMs: number): string {
  const time = wallTimeOf(instantMs)
  const at = lang === 'fr' ? 'à' : 'at'
  return `${formatDay(time.date, lang, nowMs)} ${at} ${formatClock(time, lang)}`
}

/** A timeline row's date: `mar. 8 déc., 10 h 30` / `Tue 8 Dec, 10:30 am`. */
export function formatShortMoment(instantMs: number, lang: PageLang, nowMs: number): string {
  const time = wallTimeOf(instantMs)
  return `${formatDay(time.date, lang, nowMs, 'short')}, ${formatClock(time, lang)}`
}

/**
 * A booked window: `mardi 8 décembre, entre 10 h et 12 h`; one ending at midnight stays on its day
 * (`entre 22 h et minuit`); one spanning days names both (`du lundi 7 décembre à 22 h au mardi 8 décembre
 * à 1 h`). Undefined when the window is not readable or ends before it starts.
 */
export function formatWindow(window: DeliveryWindow, lang: PageLang, nowMs: number): string | undefined {
  const fromMs = Date.parse(window.from)
  const toMs = Date.parse(window.to)
  if (Number.isNaN(fromMs) || Number.isNaN(toMs) || toMs <= fromMs) return undefined
  const from = wallTimeOf(fromMs)
  const to = wallTimeOf(toMs)
  const endsAtMidnight = to.hour === 0 && to.minute === 0 && to.date === addCalendarDays(from.date, 1)
  if (from.date === to.date || endsAtMidnight) {
    const day = formatDay(from.date, lang, nowMs)
    const [between, and] = lang === 'fr' ? ['entre', 'et'] : ['between', 'and']
    return `${day}, ${between} ${formatClock(from, lang)} ${and} ${formatClock(to, lang)}`
  }
  if (lang === 'fr') {
    return `du ${formatMoment(fromMs, lang, nowMs)} au ${formatMoment(toMs, lang, nowMs)}`
  }
  return `from ${formatMoment(fromMs, lang, nowMs)} to ${formatMoment(toMs, lang, nowMs)}`
}

/** RFC 3339 in Paris time, for `<time datetime>`. */
export function machineMoment(instantMs: number): string {
  return parisMoment(String(instantMs))
}

/** A timeline's instants are written twice per row (for people and for machines), on every visit. */
const parisMoment = boundedMemo((instantMs) => formatInZone(Number(instantMs)), 10_000)
