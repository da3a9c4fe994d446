import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EmailNotificationView } from '../../src/api/email-subscription.js'
import type { ShopperMilestone } from '../../src/domain/shopper-milestones.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { bullPrefix, EMAIL_QUEUE } from '../../workers/jobs.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { untilOutboxDrained, untilQueueIdle } from '../support/idle.js'
import { decodeHeader, headersOf, partsOf, type SmtpSink, startSmtpSink } from '../support/smtp-sink.js'

/**
 * Shopper e-mails end to end: the real API, the real poll/relay/e-mail workers, sandbox journeys
 * (one simulated hour lasts a quarter of a second, so no stage is missed by the 200–300 ms polls) and a
 * real SMTP server on a loopback port. The journeys play at the same time; absence is checked once
 * the pipeline is idle.
 */

const PAGE_BASE = 'http://colis.test'
const GREYLISTED = 'greylisted@example.com'
const BOUNCING = 'nobody@example.com'

const POLLING = {
  SANDBOX_TIME_SCALE: '14400',
  POLL_PENDING: '200ms-300ms',
  POLL_INFO_RECEIVED: '200ms-300ms',
  POLL_IN_TRANSIT: '200ms-300ms',
  POLL_NEAR_DELIVERY: '200ms-300ms',
  POLL_EXCEPTION: '200ms-300ms',
  POLL_RETRY: '200ms-300ms',
}

/** The subject of each milestone in the language the test asks for: one each, no two alike. */
const SUBJECTS: Record<string, RegExp> = {
  shipped: /^(Votre colis est en route|Your parcel is on its way)$/,
  out_for_delivery: /^(Votre colis arrive aujourd’hui|Your parcel arrives today)$/,
  failed_attempt:
    /^(Le transporteur n’a pas pu livrer votre colis|The carrier could not deliver your parcel)$/,
  available_for_pickup: /^(Votre colis est disponible au point relais|Your parcel is ready for pickup)/,
  delivered: /^(Votre colis a été livré|Your parcel has been delivered)$/,
  returned_to_sender: /^(Votre colis retourne à l’expéditeur|Your parcel is going back to the sender)$/,
}

function milestoneOf(subject: string): string | undefined {
  return Object.entries(SUBJECTS).find(([, pattern]) => pattern.test(subject))?.[0]
}

describe.concurrent('shopper e-mails through the outbox, the workers and a real SMTP server', () => {
  let harness: Harness
  let smtp: SmtpSink
  let key: string
  let emailQueue: Queue
  const greylistedTries = { count: 0 }

  beforeAll(async () => {
    smtp = await startSmtpSink((address) => {
      if (address === BOUNCING) return { code: 550, message: `5.1.1 <${address}>: no such user` }
      if (address === GREYLISTED && greylistedTries.count++ < 2)
        return { code: 451, message: '4.7.1 greylisted, try again later' }
      return undefined
    })
    harness = await createHarness('shopper-emails', {
      ...POLLING,
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Ma Boutique <suivi@shop.example>',
      PUBLIC_BASE_URL: PAGE_BASE,
      SMTP_RETRY_FACTOR: '0.0005',
    })
    await harness.startWorkers()
    key = (await harness.apiKeys.create('shop-mail')).key
    emailQueue = new Queue(EMAIL_QUEUE, { connection: harness.redis, prefix: bullPrefix(harness.config) })
  })

  afterAll(async () => {
    await emailQueue?.close()
    await harness?.close()
    await smtp?.close()
  })

  const register = async (trackingNumber: string, notifyEmail?: string) => {
    const response = await harness.request(key, '/v1/trackings', {
      method: 'POST',
      body: JSON.stringify({ trackingNumber, ...(notifyEmail ? { notifyEmail } : {}) }),
    })
    expect(response.status).toBe(201)
    return ((await response.json()) as { id: string }).id
  }
  const notifications = async (id: string) =>
    (
      (await (await harness.request(key, `/v1/trackings/${id}/notifications`)).json()) as {
        data: EmailNotificationView[]
      }
    ).data
  const subscribe = async (id: string, body: Record<string, unknown>) => {
    const response = await harness.request(key, `/v1/trackings/${id}/notifications`, {
      method: 'POST',
      body: JSON.stringify({ channel: 'email', ...body }),
    })
    expect(response.status).toBe(201)
    return (await response.json()) as EmailNotificationView
  }
  const trackingOf = async (id: string) =>
    (await (await harness.request(key, `/v1/trackings/${id}`)).json()) as {
      status: string
      trackingPageUrl: string
    }
  const statusOf = async (id: string) => (await trackingOf(id)).status
  const untilIdle = async () => {
    await untilOutboxDrained(harness.redis, createRedisKeys(harness.config.COLIS_REDIS_PREFIX).outbox(0))
    await untilQueueIdle(emailQueue)
  }
  const subjectsTo = (address: string) =>
    smtp.to(address).map((email) => decodeHeader(headersOf(email.raw).get('subject') ?? ''))

  it('e-mails every milestone of three journeys once each, in the right language, as valid multipart MIME', async () => {
    const journeys = [
      { number: 'SBXDELIVERED101', to: 'delivered@example.com', lang: 'fr', end: 'delivered' },
      { number: 'SBXPICKUP102', to: 'pickup@example.com', lang: 'en', end: 'delivered' },
      { number: 'SBXRETURNED103', to: 'returned@example.com', lang: 'fr', end: 'returned_to_sender' },
    ] as const
    const ids = await Promise.all(
      journeys.map(async ({ number, to, lang }) => {
        const id = await register(number)
        await subscribe(id, { to, lang })
        return id
      }),
    )
    await Promise.all(
      ids.map((id, index) =>
        eventually(
          () => statusOf(id),
          (status) => status === journeys[index]?.end,
          60_000,
        ),
      ),
    )
    await untilIdle()
    const trackings = await Promise.all(ids.map(trackingOf))

    const expected: Record<string, ShopperMilestone[]> = {
      'delivered@example.com': ['shipped', 'out_for_delivery', 'delivered'],
      'pickup@example.com': [
        'shipped',
        'out_for_delivery',
        'failed_attempt',
        'available_for_pickup',
        'delivered',
      ],
      'returned@example.com': ['shipped', 'out_for_delivery', 'failed_attempt', 'returned_to_sender'],
    }
    for (const [index, { to, lang }] of journeys.entries()) {
      const subjects = subjectsTo(to)
      expect(subjects.map(milestoneOf).sort(), to).toEqual([...(expected[to] ?? [])].sort())
      for (const email of smtp.to(to)) {
        const headers = headersOf(email.raw)
        expect(headers.get('content-type')).toMatch(/^multipart\/alternative; boundary=/)
        expect(headers.get('from')).toBe('Ma Boutique <suivi@shop.example>')
        expect(headers.get('list-unsubscribe')).toMatch(
          new RegExp(`^<${PAGE_BASE}/unsubscribe/${ids[index]}\\.ntf_[A-Za-z0-9]{20}\\.[A-Za-z0-9_-]{32}>$`),
        )
        expect(headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click')
        expect(headers.get('message-id')).toMatch(/^<ntf_[A-Za-z0-9]{20}-[a-z_]+@colis\.test>$/)
        const parts = partsOf(email.raw)
        expect([...parts.keys()].sort()).toEqual(['text/html', 'text/plain'])
        for (const body of parts.values()) {
          // The parcel's own page, as the API gives it to the merchant.
          expect(body).toContain(trackings[index]?.trackingPageUrl)
          expect(body).toContain(lang === 'fr' ? 'Colis SBX' : 'Parcel SBX')
        }
        expect(parts.get('text/html')).toMatch(new RegExp(`<html lang="${lang}">`))
      }
      // The link the e-mails give opens the parcel's page, in the shopper's language.
      const page = await harness.app.request(
        `${new URL(trackings[index]?.trackingPageUrl ?? PAGE_BASE).pathname}?lang=${lang}`,
      )
      expect(page.status).toBe(200)
      expect(await page.text()).toContain(`<html lang="${lang}"`)
      const [log] = await notifications(ids[index] ?? '')
      expect(log?.deliveries.map((delivery) => delivery.state)).toEqual(log?.deliveries.map(() => 'sent'))
      for (const delivery of log?.deliveries ?? []) {
        expect(delivery.attempts).toEqual([expect.objectContaining({ smtpCode: 250 })])
      }
    }
    const pickupSubject = subjectsTo('pickup@example.com').find((subject) => subject.includes('pickup'))
    expect(pickupSubject).toMatch(/^Your parcel is ready for pickup/)
  }, 90_000)

  it('stops e-mailing once the shopper POSTs the List-Unsubscribe link, and says the same again', async () => {
    const address = 'leaving@example.com'
    const id = await register('SBXDELIVERED104', address)
    await eventually(
      async () => smtp.to(address).length,
      (count) => count >= 1,
      30_000,
    )
    const link = /^<(.+)>$/.exec(headersOf(smtp.to(address)[0]?.raw ?? '').get('list-unsubscribe') ?? '')?.[1]
    const path = new URL(link ?? PAGE_BASE).pathname
    const post = () =>
      harness.app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      })
    const answer = await post()
    expect(answer.status).toBe(200)
    const replay = await post()
    expect(await replay.text()).toBe(await answer.text())
    await eventually(
      () => statusOf(id),
      (status) => status === 'delivered',
      60_000,
    )
    await untilIdle()
    expect(subjectsTo(address).map(milestoneOf)).toEqual(['shipped'])
    const [notification] = await notifications(id)
    expect(notification?.state).toBe('unsubscribed')
  }, 90_000)

  it('tries a 4xx again until it is delivered, and gives a 5xx up at once', async () => {
    const greylisted = await register('SBXDELIVERED105')
    await subscribe(greylisted, { to: GREYLISTED, events: ['delivered'] })
    const bouncing = await register('SBXDELIVERED106')
    await subscribe(bouncing, { to: BOUNCING, events: ['delivered'] })
    for (const id of [greylisted, bouncing])
      await eventually(
        () => statusOf(id),
        (status) => status === 'delivered',
        60_000,
      )
    await untilIdle()

    expect(subjectsTo(GREYLISTED).map(milestoneOf)).toEqual(['delivered'])
    const [sent] = await notifications(greylisted)
    expect(sent?.deliveries).toHaveLength(1)
    expect(sent?.deliveries[0]?.state).toBe('sent')
    expect(sent?.deliveries[0]?.attempts.map((attempt) => attempt.smtpCode)).toEqual([451, 451, 250])

    expect(smtp.to(BOUNCING)).toEqual([])
    const [bounced] = await notifications(bouncing)
    expect(bounced?.deliveries[0]?.state).toBe('failed')
    expect(bounced?.deliveries[0]?.attempts).toHaveLength(1)
    const [attempt] = bounced?.deliveries[0]?.attempts ?? []
    expect(attempt?.smtpCode).toBe(550)
    expect(attempt?.smtpResponse).toContain('no such user')
    expect(attempt?.smtpResponse).not.toContain(BOUNCING)
  }, 90_000)
})
