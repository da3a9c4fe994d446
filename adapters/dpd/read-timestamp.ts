import { formatInZone, normalizeCarrierTimestamp, PARIS } from '../../src/domain/paris-time.js'

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/
const FRENCH_DATE = /^(\d{2})[/.](\d{2})[/.](\d{4})$/
const TIME = /^(\d{1,2})[:h](\d{2})(?::(\d{2}))?$/

/** `yyyy-MM-dd` of a date as DPD writes it (`2026-04-15`, `15/04/2026`, `15.04.2026`); else undefined. */
export function readDpdDate(text: string): string | undefined {
  const iso = ISO_DATE.exec(text.trim())
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3]}`
  const french = FRENCH_DATE.exec(text.trim())
  return french ? `${french[3]}-${french[2]}-${french[1]}` : undefined
}

/**
 * An event's time as RFC 3339 with the Paris offset: DPD writes naive Paris wall clock in both sources.
 * `ScanDate` may carry its own time when `ScanTime` is empty. `epochSeconds` (the page's `data-sort`)
 * is taken instead when it shows the same Paris minute: it holds the seconds and tells the autumn's
 * repeated hour apart. Undefined when the date or time is unreadable.
 */
export function readDpdTimestamp(date: string, time?: string, epochSeconds?: number): string | undefined {
  const day = readDpdDate(date)
  if (!day) return undefined
  const clock = time === undefined ? clockOfDate(date) : TIME.exec(time.trim())
  if (!clock) return undefined
  const hour = (clock[1] ?? '').padStart(2, '0')
  const wall = `${day}T${hour}:${clock[2]}:${clock[3] ?? '00'}`
  const resolved = normalizeCarrierTimestamp(wall, PARIS)
  if (!resolved || epochSeconds === undefined) return resolved
  const fromEpoch = formatInZone(epochSeconds * 1000, PARIS)
  return fromEpoch.slice(0, 16) === resolved.slice(0, 16) ? fromEpoch : resolved
}

/** The time part of an ISO `ScanDate` (`2026-04-15T09:15:00`), as a TIME match; midnight if none. */
function clockOfDate(date: string): RegExpExecArray | null {
  const iso = ISO_DATE.exec(date.trim())
  return TIME.exec(iso?.[4] ? `${iso[4]}:${iso[5]}:${iso[6] ?? '00'}` : '00:00')
}
