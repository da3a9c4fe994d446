// What a page of `GET /v1/alerts` costs the store, now that alerts live only in their tracking:
//   npx tsx bench/alert-list-cost.ts
// 1000 open alerts listed in pages of 50 as they are stored now (read from their trackings) and as
// they were (each under a key of its own, read here as the store read them then), alternating rounds
// on a private redis-server; wall time, this process' CPU and redis-server's per page, medians of 10.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import type { DelayAlert } from '../src/domain/delay-alerts.js'
import { startLocalRedis } from '../src/redis/local-redis.js'
import { createRedisKeys, indexMember } from '../src/store/redis/redis-keys.js'
import { createRedisTrackingStore } from '../src/store/redis/redis-tracking-store.js'
import type { PollView } from '../src/store/tracking-store.js'
import { laPosteNumber, redisCpuMs } from './poll-cost.js'

const ALERTS = 1_000
const PAGE = 50
const ROUNDS = 10
const T0 = Date.parse('2026-03-27T10:00:00Z')

const stalled = (id: string, index: number): DelayAlert => ({
  id,
  type: 'stalled',
  openedAt: new Date(T0 + index * 1000).toISOString(),
  details: { lastEventAt: new Date(T0).toISOString(), businessDays: 3 },
})

const dir = mkdtempSync(join(tmpdir(), 'colis-bench-alerts-'))
const local = await startLocalRedis({ dir })
const redis = new Redis(local.url)
// No read cache: every page goes to Redis, as pages of a list do.
const store = createRedisTrackingStore(redis, 'bench', { readCacheEntries: 0 })
const keys = createRedisKeys('bench')
/** Where an alert had a key of its own, before alerts lived only in their tracking. */
const ownKey = (alertId: string) => `bench:alert:${alertId}`

// Merchant "now": each alert in its tracking only, saved as a poll would save it.
const registered = await store.registerMany(
  Array.from({ length: ALERTS }, (_, index) => ({
    input: {
      merchantId: 'now',
      carrier: 'laposte',
      trackingNumber: laPosteNumber(index),
      orderId: `ORDER-${index}`,
      destinationPostalCode: '75011',
      promisedDeliveryDate: '2026-03-30',
    },
  })),
  new Date(T0),
)
const views = (await store.loadForPoll(registered.map(({ record }) => record.id))).filter(
  (view): view is PollView => view !== undefined,
)
await store.savePolls(
  views.map((view, index) => {
    const alert = stalled(`alr_${index}`, index)
    return {
      before: view,
      record: { ...view.record, status: 'in_transit', alerts: [alert] },
      changedAlerts: [alert],
      keepPollSchedule: true,
    }
  }),
)
// Merchant "before": the same alerts as they used to be stored, under keys of their own.
for (const [index, view] of views.entries()) {
  const alert = stalled(`alr_before${index}`, index)
  await redis.set(
    ownKey(alert.id),
    JSON.stringify({ ...alert, trackingId: view.record.id, merchantId: 'before' }),
  )
  await redis.zadd(keys.merchantAlerts('before', 'open'), 0, indexMember(alert.openedAt, alert.id))
}

/** A page of the alerts stored under keys of their own: the list's members, then their keys at once. */
async function listOwnKeyPage(cursor: string | undefined) {
  const index = keys.merchantAlerts('before', 'open')
  const members = await redis.zrevrangebylex(index, cursor ? `(${cursor}` : '+', '-', 'LIMIT', 0, PAGE + 1)
  const page = members.slice(0, PAGE)
  const docs = page.length > 0 ? await redis.mget(page.map((member) => ownKey(member.slice(16)))) : []
  const data = docs.flatMap((doc) => (doc ? [JSON.parse(doc) as DelayAlert] : []))
  return { data, nextCursor: members.length > PAGE ? page.at(-1) : undefined }
}

async function listEveryPage(merchantId: string) {
  let cursor: string | undefined
  let listed = 0
  do {
    const page =
      merchantId === 'before'
        ? await listOwnKeyPage(cursor)
        : await store.listAlerts(merchantId, { state: 'open', limit: PAGE, cursor })
    listed += page.data.length
    cursor = page.nextCursor
  } while (cursor)
  if (listed !== ALERTS) throw new Error(`${merchantId}: ${listed} alerts listed, not ${ALERTS}`)
}

/** µs per page: wall time, this process' CPU, redis-server's CPU. */
async function measure(merchantId: string) {
  const pages = 5 * (ALERTS / PAGE)
  const redisBefore = await redisCpuMs(redis)
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  for (let walk = 0; walk < 5; walk++) await listEveryPage(merchantId)
  const wall = ((performance.now() - started) * 1000) / pages
  const cpu = process.cpuUsage(cpuBefore)
  const redisCpu = (((await redisCpuMs(redis)) - redisBefore) * 1000) / pages
  return { wall, cpu: (cpu.user + cpu.system) / pages, redisCpu }
}

const merchants = ['now', 'before'] as const
for (const merchantId of merchants) await listEveryPage(merchantId)
type Measured = Awaited<ReturnType<typeof measure>>
const runs: Record<(typeof merchants)[number], Measured[]> = { now: [], before: [] }
for (let round = 0; round < ROUNDS; round++) {
  for (const merchantId of round % 2 ? [...merchants].reverse() : merchants)
    runs[merchantId].push(await measure(merchantId))
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN
const line = (merchantId: keyof typeof runs) => {
  const of = (key: 'wall' | 'cpu' | 'redisCpu') => median(runs[merchantId].map((run) => run[key])).toFixed(0)
  return `wall ${of('wall')} µs, node CPU ${of('cpu')} µs, redis-server CPU ${of('redisCpu')} µs`
}
console.log(`a page of ${PAGE} open alerts, medians of ${ROUNDS} rounds:`)
console.log(`  read from their trackings (now):  ${line('now')}`)
console.log(`  read from keys of their own:      ${line('before')}`)
redis.disconnect()
await local.stop()
rmSync(dir, { recursive: true, force: true })
