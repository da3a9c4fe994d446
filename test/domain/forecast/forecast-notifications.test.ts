import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config.js'
import { atParisHour, endOfParisDay } from '../../../src/domain/business-calendar.js'
import { type AlertPolicy, evaluateAlertConditions } from '../../../src/domain/delay-alerts.js'
import {
  type ForecastModel,
  type TransitSample,
  trainForecastModel,
} from '../../../src/domain/forecast/forecast-model.js'
import { decodeForecastWindow } from '../../../src/domain/forecast/forecast-window.js'
import { milestonesOf } from '../../../src/domain/shopper-milestones.js'
import type { TrackingRecord } from '../../../src/domain/tracking.js'
import { type TrackingEvent, withEventId } from '../../../src/domain/tracking-event.js'
import {
  applyPollOutcome,
  applyTimePassing,
  type StoredTracking,
} from '../../../src/domain/tracking-lifecycle.js'
import { pollPolicyFrom } from '../../../src/main/policies.js'
import { LAPOSTE_NUMBER, registeredRecord } from '../../support/tracking-record.js'

const POLICY: AlertPolicy = {
  stalledBusinessDays: 3,
  pickupHoldDays: 10,
  pickupNoticeDays: 2,
  dayKind: 'ouvrables',
}
const POLL_POLICY = pollPolicyFrom(loadConfig({ NODE_ENV: 'test' }))

const LANE: Omit<TransitSample, 'transitDays'> = { carrier: 'laposte', service: 'colissimo', region: '75' }
/** Past parcels of the lane: 10 took 2 business days, 20 took 3, 10 took 4, 2 took 6. */
const MODEL = trainForecastModel(
  [...Array(10).fill(2), ...Array(20).fill(3), ...Array(10).fill(4), 6, 6].map((transitDays) => ({
    ...LANE,
    transitDays,
  })),
)

// Handed over on Monday 2 March 2026; the lane's 80 % window is then Wednesday to Friday.
const HANDOVER = withEventId('laposte', LAPOSTE_NUMBER, {
  occurredAt: '2026-03-02T10:00:00+01:00',
  status: 'in_transit',
  code: 'PCH',
  description: 'Votre colis est pris en charge par La Poste.',
})
const SORTED = withEventId('laposte', LAPOSTE_NUMBER, {
  occurredAt: '2026-03-02T18:00:00+01:00',
  status: 'in_transit',
  code: 'ET1',
  description: 'Votre colis est en transit sur nos plateformes logistiques.',
})

function registered(overrides: Partial<TrackingRecord> = {}): StoredTracking {
  return {
    record: registeredRecord({
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      lastNewEventAt: '2026-03-01T09:00:00.000Z',
      service: 'colissimo',
      destinationCountry: 'FR',
      destinationPostalCode: '75011',
      ...overrides,
    }),
    events: [],
  }
}

function poll(
  stored: StoredTracking,
  events: TrackingEvent[],
  nowMs: number,
  { model }: { model?: ForecastModel } = { model: MODEL },
) {
  return applyPollOutcome(
    stored,
    { carrier: 'laposte', trackingNumber: LAPOSTE_NUMBER, events, service: 'colissimo' },
    {
      now: new Date(nowMs),
      policy: POLL_POLICY,
      alertPolicy: POLICY,
      timeScale: 1,
      random: () => 0.5,
      newAlertId: () => 'alr_1',
      forecastModel: model,
    },
  )
}

const dataOf = (change: { notifications: { type: string; data: string }[] }, type: string) => {
  const found = change.notifications.find((notification) => notification.type === type)
  return found && (JSON.parse(found.data) as Record<string, unknown> & { tracking: Record<string, unknown> })
}

describe('delivery forecasts in notifications', () => {
  it('carries the forecast on the tracking of every notification, and keeps its window on the record', () => {
    const change = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    const window = { from: '2026-03-04', to: '2026-03-06', mostLikely: '2026-03-05' }
    expect(dataOf(change, 'tracking.updated')?.tracking.deliveryForecast).toEqual({
      ...window,
      probability: 0.8,
      basis: { level: 'carrier_service_region', samples: 42 },
    })
    expect(dataOf(change, 'tracking.status_changed')?.tracking.deliveryForecast).toMatchObject(window)
    // The window in a few bytes: its first day's number (days since 1970-01-01) and the days to its last.
    expect(change.record.forecastWindow).toBe('20516+2')
    expect(decodeForecastWindow(change.record.forecastWindow)).toEqual({
      from: '2026-03-04',
      to: '2026-03-06',
    })
    // The first window is no revision.
    expect(change.notifications.map((notification) => notification.type)).not.toContain(
      'tracking.forecast_changed',
    )
  })

  it('sends tracking.forecast_changed when the window moves, with the window before, and only then', () => {
    const first = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    const stored = { record: first.record, events: [HANDOVER] }
    const sameWindow = poll(stored, [HANDOVER, SORTED], atParisHour('2026-03-02', 19))
    expect(sameWindow.notifications.map((notification) => notification.type)).toEqual(['tracking.updated'])

    // Thursday, no scan since Monday: the parcels that came in two days are out of the picture.
    const later = applyTimePassing(
      { record: sameWindow.record, events: [HANDOVER, SORTED] },
      { nowMs: atParisHour('2026-03-05', 8), alertPolicy: POLICY, forecastModel: MODEL },
    )
    const changed = dataOf(later, 'tracking.forecast_changed')
    expect(changed?.previousForecast).toEqual({ from: '2026-03-04', to: '2026-03-06' })
    expect(changed?.tracking.deliveryForecast).toMatchObject({ from: '2026-03-05', to: '2026-03-06' })
    expect(changed?.sequence).toBe(later.record.sequence)
    expect(decodeForecastWindow(later.record.forecastWindow)).toEqual({
      from: '2026-03-05',
      to: '2026-03-06',
    })
  })

  it('moves the window on the first poll of a Paris day, even when the carrier says nothing new', () => {
    const first = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    // No alert check of its own for the forecast: the polls of the days to come look at it.
    const without = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12), {})
    expect(first.alerts?.nextCheckAtMs).toBe(without.alerts?.nextCheckAtMs)
    expect(first.alerts?.nextCheckAtMs).toBe(endOfParisDay('2026-03-05'))

    // Thursday, the same answer again: the parcels that came in two days are out of the picture.
    const thursday = poll(
      { record: first.record, events: [HANDOVER] },
      [HANDOVER],
      atParisHour('2026-03-05', 9),
    )
    const changed = dataOf(thursday, 'tracking.forecast_changed')
    expect(changed?.previousForecast).toEqual({ from: '2026-03-04', to: '2026-03-06' })
    expect(changed?.tracking.deliveryForecast).toMatchObject({ from: '2026-03-05', to: '2026-03-06' })
    expect(thursday.notifications.map((notification) => notification.type)).toEqual([
      'tracking.forecast_changed',
    ])
    expect(thursday.alerts).toBeDefined()
    expect(decodeForecastWindow(thursday.record.forecastWindow)).toEqual({
      from: '2026-03-05',
      to: '2026-03-06',
    })

    // Later the same day the answer, the date and so the forecast are the same: the short path again.
    const again = poll(
      { record: thursday.record, events: [HANDOVER] },
      [HANDOVER],
      atParisHour('2026-03-05', 11),
    )
    expect(again.alerts).toBeUndefined()
    expect(again.notifications).toEqual([])
    expect(again.record.forecastWindow).toBe(thursday.record.forecastWindow)
  })

  it('leaves polls of the same answer on the short path without a model', () => {
    const first = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12), {})
    const nextDay = poll(
      { record: first.record, events: [HANDOVER] },
      [HANDOVER],
      atParisHour('2026-03-03', 9),
      {},
    )
    expect(nextDay.alerts).toBeUndefined()
    expect(nextDay.notifications).toEqual([])
  })

  it('reads a window kept as an ISO 8601 interval by records saved before, and writes it shorter', () => {
    const first = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    const saved = { record: { ...first.record, forecastWindow: '2026-03-04/2026-03-06' }, events: [HANDOVER] }
    const same = poll(saved, [HANDOVER, SORTED], atParisHour('2026-03-02', 19))
    expect(same.notifications.map((notification) => notification.type)).toEqual(['tracking.updated'])
    expect(same.record.forecastWindow).toBe('20516+2')

    const moved = poll(saved, [HANDOVER], atParisHour('2026-03-05', 9))
    expect(dataOf(moved, 'tracking.forecast_changed')?.previousForecast).toEqual({
      from: '2026-03-04',
      to: '2026-03-06',
    })
  })

  it('drops the window once the parcel is delivered, with no revision sent', () => {
    const first = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    const delivered = withEventId('laposte', LAPOSTE_NUMBER, {
      occurredAt: '2026-03-04T11:00:00+01:00',
      status: 'delivered',
      code: 'DI1',
      description: 'Votre colis est livré.',
    })
    const done = poll(
      { record: first.record, events: [HANDOVER] },
      [HANDOVER, delivered],
      atParisHour('2026-03-04', 12),
    )
    expect(done.record.forecastWindow).toBeUndefined()
    expect(dataOf(done, 'tracking.status_changed')?.tracking.deliveryForecast).toBeUndefined()
    expect(done.notifications.map((notification) => notification.type)).not.toContain(
      'tracking.forecast_changed',
    )
  })

  it('carries no forecast without a model, and none before the handover', () => {
    const without = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12), {})
    expect(dataOf(without, 'tracking.updated')?.tracking).not.toHaveProperty('deliveryForecast')
    expect(without.record.forecastWindow).toBeUndefined()
    const label = withEventId('laposte', LAPOSTE_NUMBER, {
      occurredAt: '2026-03-01T10:00:00+01:00',
      status: 'info_received',
      code: 'DR1',
      description: 'Votre colis est en préparation chez l’expéditeur.',
    })
    const beforeHandover = poll(registered(), [label], atParisHour('2026-03-02', 12))
    expect(dataOf(beforeHandover, 'tracking.updated')?.tracking).not.toHaveProperty('deliveryForecast')
  })
})

describe('predictive at_risk', () => {
  it('opens when the forecast says the promise is more likely missed than not, with the probability', () => {
    // Promised for Wednesday: 32 of the 42 parcels of the lane took longer.
    const change = poll(
      registered({ promisedDeliveryDate: '2026-03-04' }),
      [HANDOVER],
      atParisHour('2026-03-02', 12),
    )
    const opened = dataOf(change, 'alert.opened')?.alert as { type: string; details: Record<string, unknown> }
    expect(opened.type).toBe('at_risk')
    expect(opened.details).toEqual({
      source: 'forecast',
      promisedDeliveryDate: '2026-03-04',
      probabilityLate: 0.76,
      forecast: { from: '2026-03-04', to: '2026-03-06', mostLikely: '2026-03-05' },
      basis: { level: 'carrier_service_region', samples: 42 },
    })
  })

  it('opens for a silent parcel on the first poll of the day its promise became unlikely', () => {
    // Past parcels of the lane: 20 came in a business day, 10 in two, 10 in three, 10 in five.
    const model = trainForecastModel(
      [...Array(20).fill(1), ...Array(10).fill(2), ...Array(10).fill(3), ...Array(10).fill(5)].map(
        (transitDays) => ({ ...LANE, transitDays }),
      ),
    )
    const promised = registered({ promisedDeliveryDate: '2026-03-04' })
    // Monday and Tuesday, 20 of 50 took longer than the promise's two days.
    const monday = poll(promised, [HANDOVER], atParisHour('2026-03-02', 12), { model })
    expect(monday.alerts?.opened).toEqual([])
    const tuesday = poll(
      { record: monday.record, events: [HANDOVER] },
      [HANDOVER],
      atParisHour('2026-03-03', 9),
      {
        model,
      },
    )
    expect(tuesday.alerts?.opened).toEqual([])
    // Wednesday, nothing new from the carrier: it did not come in a day, and 20 of the 30 left took longer.
    const wednesday = poll(
      { record: tuesday.record, events: [HANDOVER] },
      [HANDOVER],
      atParisHour('2026-03-04', 9),
      {
        model,
      },
    )
    const opened = dataOf(wednesday, 'alert.opened')?.alert as {
      type: string
      details: Record<string, unknown>
    }
    expect(opened).toMatchObject({
      type: 'at_risk',
      details: { source: 'forecast', promisedDeliveryDate: '2026-03-04', probabilityLate: 0.67 },
    })
  })

  it('stays shut while a miss is less likely than not, and without a promise', () => {
    // Promised for Thursday: 12 of 42 took longer.
    const unlikely = poll(
      registered({ promisedDeliveryDate: '2026-03-05' }),
      [HANDOVER],
      atParisHour('2026-03-02', 12),
    )
    expect(unlikely.alerts?.opened).toEqual([])
    const unpromised = poll(registered(), [HANDOVER], atParisHour('2026-03-02', 12))
    expect(unpromised.alerts?.opened).toEqual([])
  })

  it("is no shopper's delay: the e-mail milestone waits for the carrier's word or the missed day", () => {
    const change = poll(
      registered({ promisedDeliveryDate: '2026-03-04' }),
      [HANDOVER],
      atParisHour('2026-03-02', 12),
    )
    const opened = dataOf(change, 'alert.opened')
    const milestones = milestonesOf(
      { type: 'alert.opened', tracking: opened?.tracking as never, alert: opened?.alert as never },
      '2026-03-02T11:00:00.000Z',
    )
    expect(milestones.map((found) => found.milestone)).not.toContain('delayed')
  })
})

describe('predictive at_risk between one half and the hold', () => {
  const facts = (probabilityLate: number) => ({
    window: { from: '2026-03-04', to: '2026-03-06', mostLikely: '2026-03-05' },
    basis: { level: 'carrier_service_region', samples: 42 },
    probabilityLate,
  })
  const input = (probabilityLate: number, open: boolean) => ({
    record: registered({
      status: 'in_transit',
      promisedDeliveryDate: '2026-03-04',
      alerts: open
        ? [{ id: 'alr_1', type: 'at_risk' as const, openedAt: '2026-03-02T11:00:00.000Z', details: {} }]
        : [],
    }).record,
    events: [HANDOVER],
    nowMs: atParisHour('2026-03-03', 12),
    policy: POLICY,
    forecast: facts(probabilityLate),
  })

  it.each([
    [0.55, false, true],
    [0.5, false, false],
    [0.45, false, false],
    [0.45, true, true],
    [0.4, true, false],
    [0.2, true, false],
  ])('P(late) %s with an open alert %s: at_risk holds %s', (probability, open, holds) => {
    expect(evaluateAlertConditions(input(probability, open)).has('at_risk')).toBe(holds)
  })

  it("prefers the carrier's own later estimate, which is a fact, to the forecast", () => {
    const carrierSaysLater = {
      ...input(0.9, false),
      record: { ...input(0.9, false).record, estimatedDelivery: '2026-03-06' },
    }
    expect(evaluateAlertConditions(carrierSaysLater).get('at_risk')).toEqual({
      source: 'carrier_estimate',
      promisedDeliveryDate: '2026-03-04',
      estimatedDelivery: '2026-03-06',
    })
  })
})
