import { z } from 'zod'
import { addCalendarDays, parisDateOf, parisDateOfTimestamp } from '../domain/business-calendar.js'

/**
 * How far from today (Paris) a registration's dates may be. Far enough for parcels shipped or
 * promised around now, near enough that the business calendar, asked about these dates plus the 60
 * business days a promise may add, always answers.
 */
export const REGISTRATION_WINDOW = {
  /** Days before today a promised date or a shipping date may be. */
  pastDays: 365,
  /** Days after today a promised date may be. */
  promisedFutureDays: 730,
  /** Days after today a shipping date may be. */
  shippedFutureDays: 365,
} as const

/** The Paris date of a date or date-time, or undefined for one the calendar cannot place. */
function parisDateOrNothing(value: string): string | undefined {
  try {
    return parisDateOfTimestamp(value)
  } catch {
    return undefined
  }
}

function windowedDate(from: string, to: string) {
  return z.string().refine(
    (value) => {
      const day = parisDateOrNothing(value)
      return day !== undefined && day >= from && day <= to
    },
    { message: `must be between ${from} and ${to} (Paris dates)` },
  )
}

function datesSchemaOn(today: string) {
  const from = addCalendarDays(today, -REGISTRATION_WINDOW.pastDays)
  return z.object({
    promisedDeliveryDate: windowedDate(
      from,
      addCalendarDays(today, REGISTRATION_WINDOW.promisedFutureDays),
    ).optional(),
    promise: z
      .object({
        shippedAt: windowedDate(from, addCalendarDays(today, REGISTRATION_WINDOW.shippedFutureDays)),
      })
      .optional(),
  })
}

// One schema a day: a batch checks up to 1000 registrations against the same window.
let current: { today: string; schema: ReturnType<typeof datesSchemaOn> } | undefined

/** The registration's dates as the window of the day of `at` bounds them (other fields pass through). */
export function registrationDatesSchema(at: Date): ReturnType<typeof datesSchemaOn> {
  const today = parisDateOf(at.getTime())
  if (current?.today !== today) current = { today, schema: datesSchemaOn(today) }
  return current.schema
}
