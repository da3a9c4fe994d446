import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTransport } from 'nodemailer'
import { loadConfig } from '../../src/config.js'
import { SHOPPER_MILESTONES } from '../../src/domain/shopper-milestones.js'
import { withEventId } from '../../src/domain/tracking-event.js'
import {
  type TrackingNotification,
  withAlertsAndNotifications,
} from '../../src/domain/tracking-notifications.js'
import { buildEmailContext } from '../../src/email/email-context.js'
import { renderMilestoneEmail } from '../../src/email/milestone-email.js'
import { createUnsubscribeSecret } from '../../src/email/unsubscribe-token.js'
import { createSilentLogger } from '../../src/logger.js'
import { alertPolicyFrom } from '../../src/main/policies.js'
import { createRedisConnections } from '../../src/main/redis-connections.js'
import { shopperEmailSources } from '../../src/main/shopper-email-sources.js'
import { createStores, type Stores } from '../../src/main/stores.js'
import { startWebhookPipeline } from '../../src/main/worker-process.js'
import { createMetrics } from '../../src/metrics.js'
import { startLocalRedis } from '../../src/redis/local-redis.js'
import type { RedisClient } from '../../src/redis/redis-client.js'
import { createId } from '../../src/store/record-ids.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { atLeast, atMost, type FigureModule } from '../figure.js'
import type { LoopbackSmtpMessage } from '../loopback-smtp.js'
import { laPosteNumber } from '../poll-cost.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MERCHANT = 'bench-shop'
const PUBLIC_BASE_URL = 'https://colis.example'
const PACED_PER_SECOND = 50

/** The loopback SMTP server (bench/loopback-smtp.ts) in a child process: receiving mail is not colis' work. */
async function startLoopbackSmtp() {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../loopback-smtp.ts', import.meta.url))],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  const onExit = () => child.kill('SIGKILL')
  process.once('exit', onExit)
  const next = <T extends LoopbackSmtpMessage>(wanted: (message: LoopbackSmtpMessage) => boolean) =>
    new Promise<T>((resolve) => {
      const answered = (message: LoopbackSmtpMessage) => {
        if (!wanted(message)) return
        child.off('message', answered)
        resolve(message as T)
      }
      child.on('message', answered)
    })
  const listening = next<Extract<LoopbackSmtpMessage, { port: number }>>((message) => 'port' in message)
  const { port } = await Promise.race([
    listening,
    new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`loopback SMTP exited (${code})`))),
    ),
  ])
  return {
    url: `smtp://127.0.0.1:${port}`,
    async reset() {
      const done = next((message) => 'reset' in message)
      child.send({ reset: true })
      await done
    },
    /** When the n-th message since the reset was accepted (its DATA ended), once it was. */
    async until(count: number): Promise<number> {
      const reached = next<Extract<LoopbackSmtpMessage, { reached: number }>>(
        (message) => 'reached' in message,
      )
      child.send({ until: count })
      return (await reached).lastAtMs
    },
    /** Each message accepted since the reset: its first recipient and when. */
    async accepted(): Promise<Array<[string, number]>> {
      const report = next<Extract<LoopbackSmtpMessage, { accepted: unknown }>>(
        (message) => 'accepted' in message,
      )
      child.send({ report: true })
      return (await report).accepted
    },
    async close() {
      process.off('exit', onExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

/** A parcel about to go out for delivery, its shopper subscribed, and the notifications of that change. */
interface Parcel {
  to: string
  notifications: TrackingNotification[]
}

/**
 * `count` La Poste parcels registered through the store, each with one e-mail subscription (every
 * milestone, French and English in turn), and the notifications the lifecycle publishes when a poll
 * finds it out for delivery: `tracking.updated` and `tracking.status_changed`, the one with a milestone.
 */
async function seedParcels(
  stores: Stores,
  policy: ReturnType<typeof alertPolicyFrom>,
  count: number,
  serial: number,
): Promise<Parcel[]> {
  const parcels: Parcel[] = []
  for (let first = 0; first < count; first += 500) {
    const now = new Date()
    const numbers = Array.from({ length: Math.min(500, count - first) }, (_, index) =>
      laPosteNumber(serial + first + index),
    )
    const registered = await stores.trackings.registerMany(
      numbers.map((trackingNumber) => ({
        input: { merchantId: MERCHANT, carrier: 'laposte', trackingNumber, destinationPostalCode: '75011' },
      })),
      now,
    )
    const views = await stores.trackings.loadForPoll(registered.map(({ record }) => record.id))
    const batch = await Promise.all(
      views.map(async (before, index) => {
        if (!before) throw new Error('seeded tracking missing')
        const trackingNumber = numbers[index] as string
        const to = `shopper-${serial + first + index}@example.com`
        const added = await stores.emails.add(
          {
            id: createId('ntf'),
            trackingId: before.record.id,
            merchantId: MERCHANT,
            channel: 'email',
            to,
            lang: index % 2 === 0 ? 'fr' : 'en',
            events: [...SHOPPER_MILESTONES],
            createdAt: now.toISOString(),
            unsubscribeSecret: createUnsubscribeSecret(),
          },
          { max: 10 },
        )
        if (added !== 'added') throw new Error(`seeding a subscription: ${added}`)
        const scan = (hours: number, status: 'in_transit' | 'out_for_delivery', code: string) =>
          withEventId('laposte', trackingNumber, {
            occurredAt: new Date(now.getTime() - hours * 3_600_000).toISOString().replace('Z', '+00:00'),
            status,
            code,
            description:
              status === 'in_transit'
                ? "Votre colis est en cours d'acheminement."
                : 'Votre colis est en cours de livraison.',
            location: {
              name: 'Plateforme Paris Nord',
              city: 'Paris',
              postalCode: '75011',
              countryCode: 'FR',
            },
          })
        const change = withAlertsAndNotifications(
          {
            before,
            record: { ...before.record, status: 'out_for_delivery', updatedAt: now.toISOString() },
            events: [scan(20, 'in_transit', 'ET1'), scan(1, 'out_for_delivery', 'MD2')],
          },
          { nowMs: now.getTime(), policy: policy(before.record) },
        )
        return { to, notifications: change.notifications }
      }),
    )
    parcels.push(...batch)
  }
  return parcels
}

/** What a poll's save does to the outbox for these parcels: their notifications, stamped now. */
async function publish(writer: RedisClient, outboxKey: string, parcels: readonly Parcel[]): Promise<void> {
  const timestamp = new Date().toISOString()
  const pipeline = writer.pipeline()
  for (const { notifications } of parcels) {
    for (const message of notifications)
      pipeline.xadd(outboxKey, '*', 'm', JSON.stringify({ ...message, timestamp }))
  }
  await pipeline.exec()
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number

/**
 * Figure 10: milestone e-mails accepted per second by a loopback SMTP server (its own process), sent
 * through colis' e-mail pipeline as a worker process builds it (outbox relay, e-mail queue and worker,
 * nodemailer pool: `startWebhookPipeline` with SMTP_URL), vs nodemailer sending the same e-mails
 * directly; and the p99 from the state change's outbox write to the server's acceptance at 50/s.
 */
export const emailSending: FigureModule = async ({ quick, profiledSpan }) => {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-emails-'))
  const redis = await startLocalRedis({ dir })
  const smtp = await startLoopbackSmtp()
  const logger = createSilentLogger()
  const connections = createRedisConnections(redis.url, logger)
  const connect = () => connections.connect()
  const config = loadConfig({
    REDIS_URL: redis.url,
    COLIS_REDIS_PREFIX: 'bench',
    SMTP_URL: smtp.url,
    SMTP_FROM: 'Ma Boutique <suivi@shop.example>',
    PUBLIC_BASE_URL,
  })
  const concurrency = config.SMTP_CONCURRENCY
  const direct = connect()
  const stores = createStores(direct, config.COLIS_REDIS_PREFIX)
  const outboxKey = createRedisKeys(config.COLIS_REDIS_PREFIX).outbox(0)

  const count = quick ? 1_000 : 3_000
  const rounds = quick ? 3 : 5
  const warmUp = 300
  const pacedSeconds = quick ? 4 : 10
  const paced = PACED_PER_SECOND * pacedSeconds
  let serial = 42
  const seed = async (parcels: number) => {
    const seeded = await seedParcels(stores, alertPolicyFrom(config), parcels, serial)
    serial += parcels
    return seeded
  }
  const batches = [await seed(warmUp)]
  for (let round = 0; round < rounds; round++) batches.push(await seed(count))
  const pacedParcels = await seed(paced)

  const sources = shopperEmailSources({
    merchantSettings: stores.merchantSettings,
    store: stores.trackings,
    publicBaseUrl: PUBLIC_BASE_URL,
  })
  const pipeline = startWebhookPipeline({
    config,
    connect,
    logger,
    metrics: createMetrics(),
    emailSources: sources,
  })
  const colisPerSecond = async (parcels: readonly Parcel[]) => {
    await smtp.reset()
    const started = Date.now()
    for (let index = 0; index < parcels.length; index += 500)
      await publish(direct, outboxKey, parcels.slice(index, index + 500))
    return parcels.length / (((await smtp.until(parcels.length)) - started) / 1000)
  }

  // The baseline: the same e-mails rendered beforehand, sent by one nodemailer pool as wide as colis'.
  const transport = createTransport({ url: smtp.url, pool: true, maxConnections: concurrency })
  const rendered = await Promise.all(
    (['fr', 'en'] as const).map(async (lang, index) => {
      const trackingId = batches[0]?.[index]?.notifications[0]?.trackingId ?? ''
      const context = await buildEmailContext(
        {
          subscription: {
            id: createId('ntf'),
            trackingId,
            merchantId: MERCHANT,
            lang,
            unsubscribeSecret: createUnsubscribeSecret(),
          },
          delivery: {
            milestone: 'out_for_delivery',
            facts: { at: new Date().toISOString(), carrierWording: 'Votre colis est en cours de livraison.' },
            carrier: 'laposte',
            trackingNumber: laPosteNumber(serial + index),
          },
          publicBaseUrl: PUBLIC_BASE_URL,
        },
        sources,
      )
      return { email: renderMilestoneEmail(context), unsubscribe: context.unsubscribeUrl }
    }),
  )
  const nodemailerPerSecond = async (messages: number) => {
    await smtp.reset()
    let next = 0
    const started = Date.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages) {
          const index = next++
          const { email, unsubscribe } = rendered[index % 2] as (typeof rendered)[number]
          await transport.sendMail({
            from: config.SMTP_FROM,
            to: `direct-${index}@example.com`,
            ...email,
            messageId: `<direct-${index}@colis.example>`,
            headers: {
              'List-Unsubscribe': `<${unsubscribe}>`,
              'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            },
          })
        }
      }),
    )
    return messages / (((await smtp.until(messages)) - started) / 1000)
  }

  // Warm-up, not counted: JIT, connection pools.
  await nodemailerPerSecond(warmUp)
  await colisPerSecond(batches[0] as Parcel[])
  const pairs: Array<{ colis: number; nodemailer: number }> = []
  for (let round = 0; round < rounds; round++) {
    const nodemailer = await nodemailerPerSecond(count)
    if (round === 0) await profiledSpan?.start()
    const colis = await colisPerSecond(batches[round + 1] as Parcel[])
    if (round === 0) await profiledSpan?.stop()
    pairs.push({ colis, nodemailer })
  }
  transport.close()

  // Open loop: one parcel's state change every 20 ms, each due at its time whatever the ones before did.
  await smtp.reset()
  const writtenAt = new Map<string, number>()
  const started = performance.now()
  for (const [index, parcel] of pacedParcels.entries()) {
    const wait = started + (index * 1000) / PACED_PER_SECOND - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    writtenAt.set(parcel.to, Date.now())
    await publish(direct, outboxKey, [parcel])
  }
  await smtp.until(paced)
  const accepted = await smtp.accepted()
  if (new Set(accepted.map(([to]) => to)).size !== paced || accepted.some(([to]) => !writtenAt.has(to)))
    throw new Error(`the paced run's e-mails are not one for each change: ${accepted.length} of ${paced}`)
  const latencies = accepted.map(([to, atMs]) => atMs - (writtenAt.get(to) as number)).sort((a, b) => a - b)
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.POSITIVE_INFINITY
  const p50 = latencies[Math.floor(latencies.length * 0.5)] ?? Number.POSITIVE_INFINITY

  await pipeline.stop()
  await connections.closeAll()
  await smtp.close()
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })

  const best = Math.max(...pairs.map((pair) => pair.colis))
  const ratios = pairs.map((pair) => pair.colis / pair.nodemailer)
  const kept = pairs[ratios.indexOf(median(ratios))] as (typeof pairs)[number]
  const perSecond = (values: number[]) => values.map((value) => value.toFixed(0)).join(' ')
  return [
    atLeast('email-sent-per-second', Math.round(best), 'messages/s', 200, {
      note: `best of ${rounds} rounds of ${count} out-for-delivery changes through outbox → relay → e-mail queue → worker (store reads, rendering, nodemailer pool of ${concurrency}) → loopback smtp-server in a child process, counted at its DATA end; rounds ${perSecond(pairs.map((pair) => pair.colis))}/s`,
    }),
    {
      name: 'email-colis-vs-nodemailer-direct',
      value: Math.round(kept.colis),
      unit: 'messages/s',
      baseline: Math.round(kept.nodemailer),
      ratio: Number(median(ratios).toFixed(3)),
      target: 'info',
      pass: true,
      note: `baseline: nodemailer alone sending the same e-mails, rendered beforehand, to the same server with the same pool (${concurrency} connections, ${concurrency} in flight); median of ${rounds} alternating pairs, ratios ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}; nodemailer rounds ${perSecond(pairs.map((pair) => pair.nodemailer))}/s`,
    },
    atMost('email-p99-change-to-accepted-at-50ps', p99, 'ms', 2000, {
      note: `${paced} out-for-delivery changes written to the outbox at ${PACED_PER_SECOND}/s (open loop), to the server's acceptance; p50 ${p50} ms`,
    }),
  ]
}
