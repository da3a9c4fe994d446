import {
  addBusinessDays,
  addCalendarDays,
  type CalendarDate,
  isPublicHoliday,
  parisDateOfTimestamp,
} from './business-calendar.js'
import { readFrenchPostalCode } from './destination.js'
import { formatInZone, instantOf, normalizeCarrierTimestamp, PARIS } from './paris-time.js'

/** The last day (inclusive, at the destination) on which the consumer can still act; see docs/consumer-deadlines.md. */
export interface ConsumerDeadlines {
  /** Withdrawal (Code de la consommation L221-18, L221-19). */
  withdrawalUntil: CalendarDate
  /** Protest to the carrier for damage or partial loss (Code de commerce L133-3). */
  carrierProtestUntil: CalendarDate
  /** Legal guarantee of conformity (Code de la consommation L217-3). */
  conformityGuaranteeUntil: CalendarDate
}

export interface ConsumerDeadlineOptions {
  postalCode?: string
  /** ISO 3166-1 alpha-2; France when absent. */
  destinationCountry?: string
  /** The merchant's withdrawal period in days: an integer from 14 (the law's, the default) to 3650. */
  withdrawalDays?: number
}

export const LEGAL_WITHDRAWAL_DAYS = 14
const MAX_WITHDRAWAL_DAYS = 3650
const CARRIER_PROTEST_DAYS = 3
const CONFORMITY_GUARANTEE_YEARS = 2
/** Past it, a deadline would not be writable as `YYYY-MM-DD`. */
const LAST_DELIVERY_DAY = '9980-12-31'

interface Place {
  /** The day of receipt is the date where the parcel was received. */
  timeZone: string
  /** What the business calendar reads to pick the department's public holidays. */
  calendarPostalCode?: string
}

/**
 * The overseas departments, where French consumer and commercial law apply as in mainland France; by
 * ISO code, with their department number.
 */
const OVERSEAS_DEPARTMENTS = {
  GP: { department: '971', timeZone: 'America/Guadeloupe' },
  MQ: { department: '972', timeZone: 'America/Martinique' },
  GF: { department: '973', timeZone: 'America/Cayenne' },
  RE: { department: '974', timeZone: 'Indian/Reunion' },
  YT: { department: '976', timeZone: 'Indian/Mayotte' },
} as const

type OverseasCountry = keyof typeof OVERSEAS_DEPARTMENTS

function isOverseasCountry(country: string): country is OverseasCountry {
  return Object.hasOwn(OVERSEAS_DEPARTMENTS, country)
}

function overseasByDepartment(department: string) {
  return Object.values(OVERSEAS_DEPARTMENTS).find((place) => place.department === department)
}

/**
 * Where the parcel was received, when that place takes French consumer law: mainland France and the
 * overseas departments. Monaco and the overseas collectivities (Saint-Pierre-et-Miquelon,
 * Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna, Polynesia, New Caledonia) have laws of their own
 * that colis does not model, so they get none rather than a wrong one.
 */
function frenchLawPlace(options: ConsumerDeadlineOptions): Place | undefined {
  const country = (options.destinationCountry ?? 'FR').toUpperCase()
  if (country !== 'FR' && !isOverseasCountry(country)) return undefined
  const postalCode =
    options.postalCode === undefined ? undefined : readFrenchPostalCode(options.postalCode.replace(/\s/g, ''))
  if (postalCode === undefined) {
    // Without a readable postal code, mainland holidays: a subset of every department's, so no
    // deadline is pushed past one the department's calendar would give.
    if (country === 'FR') return { timeZone: PARIS }
    const overseas = OVERSEAS_DEPARTMENTS[country]
    return { timeZone: overseas.timeZone, calendarPostalCode: `${overseas.department}00` }
  }
  if (!/^9[78]/.test(postalCode)) return { timeZone: PARIS, calendarPostalCode: postalCode }
  const overseas = overseasByDepartment(postalCode.slice(0, 3))
  return overseas ? { timeZone: overseas.timeZone, calendarPostalCode: postalCode } : undefined
}

/** The date at `timeZone` of a `YYYY-MM-DD` date (itself) or of a date-time (offset-less: Paris wall-clock). */
function receiptDayOf(deliveredAt: string, timeZone: string): CalendarDate | undefined {
  const parisDay = parisDateOfTimestamp(deliveredAt)
  if (parisDay === undefined || timeZone === PARIS || /^\d{4}-\d{2}-\d{2}$/.test(deliveredAt.trim())) {
    return parisDay
  }
  const normalized = normalizeCarrierTimestamp(deliveredAt.trim(), PARIS)
  return normalized === undefined ? undefined : formatInZone(instantOf(normalized), timeZone).slice(0, 10)
}

/**
 * L221-19 (after Regulation 1182/71 art. 3): the day of receipt is not counted, and a period whose last
 * day is a Saturday, Sunday or public holiday runs to the end of the next working day — Monday to
 * Friday, as art. 2(2) of the Regulation defines working days.
 */
function withdrawalEnd(receivedOn: CalendarDate, days: number, calendarPostalCode?: string): CalendarDate {
  return addBusinessDays(addCalendarDays(receivedOn, days), 0, 'ouvres', calendarPostalCode)
}

/**
 * L133-3: "dans les trois jours, non compris les jours fériés, qui suivent celui de cette réception".
 * Sundays are counted: reading them as "jours fériés" too would give a later day, and colis never shows
 * a later day than one reading of the law allows. No extension when the last day is a weekend.
 */
function carrierProtestEnd(receivedOn: CalendarDate, calendarPostalCode?: string): CalendarDate {
  let day = receivedOn
  let counted = 0
  while (counted < CARRIER_PROTEST_DAYS) {
    day = addCalendarDays(day, 1)
    if (!isPublicHoliday(day, calendarPostalCode)) counted++
  }
  return day
}

/**
 * L217-3: two years from delivery, ending on the anniversary date (Regulation 1182/71 art. 3(2)(c)); a
 * 29 February delivery ends on 28 February, the last day of that month. No extension past a weekend:
 * the guarantee covers defects that appear within the period, which no day of the week shortens.
 */
function conformityGuaranteeEnd(receivedOn: CalendarDate): CalendarDate {
  const [year, month, day] = receivedOn.split('-').map(Number) as [number, number, number]
  const targetYear = year + CONFORMITY_GUARANTEE_YEARS
  const lastDayOfMonth = new Date(Date.UTC(targetYear, month, 0)).getUTCDate()
  const date = new Date(Date.UTC(targetYear, month - 1, Math.min(day, lastDayOfMonth)))
  return date.toISOString().slice(0, 10)
}

/**
 * The French consumer's deadlines after a delivery at `deliveredAt`, counted on the calendar of the
 * destination; undefined for a destination outside French law or a `deliveredAt` that is no date.
 * Throws a RangeError for a `withdrawalDays` that is not an integer from 14 to 3650.
 */
export function consumerDeadlines(
  deliveredAt: string,
  options: ConsumerDeadlineOptions = {},
): ConsumerDeadlines | undefined {
  const withdrawalDays = options.withdrawalDays ?? LEGAL_WITHDRAWAL_DAYS
  if (
    !Number.isInteger(withdrawalDays) ||
    withdrawalDays < LEGAL_WITHDRAWAL_DAYS ||
    withdrawalDays > MAX_WITHDRAWAL_DAYS
  ) {
    throw new RangeError(
      `withdrawalDays must be an integer from ${LEGAL_WITHDRAWAL_DAYS} to ${MAX_WITHDRAWAL_DAYS}: ${withdrawalDays}`,
    )
  }
  const place = frenchLawPlace(options)
  if (!place) return undefined
  const receivedOn = receiptDayOf(deliveredAt, place.timeZone)
  if (receivedOn === undefined || receivedOn > LAST_DELIVERY_DAY) return undefined
  return {
    withdrawalUntil: withdrawalEnd(receivedOn, withdrawalDays, place.calendarPostalCode),
    carrierProtestUntil: carrierProtestEnd(receivedOn, place.calendarPostalCode),
    conformityGuaranteeUntil: conformityGuaranteeEnd(receivedOn),
  }
}
