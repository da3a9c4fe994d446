import fc from 'fast-check'
import type { TrackingEvent } from '../../src/domain/tracking-event.js'
import { EVENT_STATUSES } from '../../src/domain/tracking-status.js'

/** Any string of any Unicode (lone surrogates included), up to `maxLength` code units. */
export const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength })

/** Any event as a timeline stores it: every optional field may be missing, every string anything. */
export function anyEvent(maxLength = 120): fc.Arbitrary<TrackingEvent> {
  const text = anyText(maxLength)
  return fc.record(
    {
      id: text,
      occurredAt: text,
      status: fc.constantFrom(...EVENT_STATUSES),
      code: text,
      description: text,
      location: fc.record(
        { name: text, city: text, postalCode: text, countryCode: text },
        { requiredKeys: [] },
      ),
      details: fc.dictionary(text, text, { maxKeys: 3 }),
    },
    { requiredKeys: ['id', 'occurredAt', 'status', 'code', 'description'] },
  )
}
