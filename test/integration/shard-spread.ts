import { Queue } from 'bullmq'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WrapTrackingStore } from '../../src/main/stores.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import { createRedisShardLeaseStore, shardLeaseKeys } from '../../src/store/redis/redis-shard-lease-store.js'
import { DELIVERY_QUEUE, queuePrefix } from '../../workers/jobs.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { untilQueueIdle } from '../support/idle.js'
import { uniquePrefix } from '../support/redis.js'
import { startWebhookReceiver } from '../support/webhook-receiver.js'

const SHARDS = 8
const LEASE_MS = 1500

type Payload = { type: string; data: { sequence: number; tracking: { id: string; status: string } } }

/**
 * Two worker sets on one keyspace of 8 shards, as two worker processes would run: they split the
 * shards, every tracking is claimed for its polls by the set holding its shard (the poll jobs
 * themselves go to whichever set's BullMQ worker takes them) and each notification is sent once;
 * a dead worker's shards, then a stopped set's, go to the live ones within a lease.
 */
export function describeShardSpread(title: string, env: () => Record<string, string>) {
  describe(title, () => {
    const settings = () => ({
      ...FAST_SANDBOX_POLLING,
      SANDBOX_TIME_SCALE: '120000',
      SANDBOX_RATE_LIMIT: '1000/1s',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
      WEBHOOK_RETRY_FACTOR: '0.001',
      COLIS_SHARDS: String(SHARDS),
      SHARD_LEASE: `${LEASE_MS}ms`,
      ...env(),
      COLIS_REDIS_PREFIX: prefix,
    })
    const prefix = uniquePrefix('shard-spread')
    const keys = createRedisKeys(prefix, SHARDS)
    let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>
    let first: Harness
    let second: Harness
    let deliveries: Queue
    /** The worker set that claimed each tracking for a poll or an alert check. */
    const claims: Array<{ set: string; id: string }> = []
    const watch =
      (set: string): WrapTrackingStore =>
      (store) =>
        new Proxy(store, {
          get(target, property, self) {
            if (property !== 'claimDue' && property !== 'claimAlertChecks')
              return Reflect.get(target, property, self)
            const claim = Reflect.get(target, property, self) as (...args: unknown[]) => Promise<string[]>
            return async (...args: unknown[]) => {
              const ids = await claim.apply(target, args)
              for (const id of ids) claims.push({ set, id })
              return ids
            }
          },
        })
    let key: string
    let secondStopped = false

    const owners = async () => {
      const leases = await first.redis.hgetall(shardLeaseKeys(prefix, SHARDS).shardLeases)
      return new Map(
        Object.entries(leases).map(([shard, lease]) => [Number(shard), lease.replace(/^\d+:/, '')]),
      )
    }
    const register = async (trackingNumber: string) => {
      const created = await first.request(key, '/v1/trackings', {
        method: 'POST',
        body: JSON.stringify({ trackingNumber, carrier: 'sandbox' }),
      })
      expect(created.status).toBe(201)
      return ((await created.json()) as { id: string }).id
    }
    const untilDelivered = (ids: string[]) =>
      eventually(
        () =>
          Promise.all(
            ids.map(
              async (id) =>
                (
                  (await (
                    await first.request(key, `/v1/trackings/${id}`)
                  ).json()) as Payload['data']['tracking']
                ).status,
            ),
          ),
        (statuses) => statuses.every((status) => status === 'delivered'),
      )
    const untilRelayed = async () => {
      await eventually(
        () => Promise.all(Array.from({ length: SHARDS }, (_, shard) => first.redis.xlen(keys.outbox(shard)))),
        (lengths) => lengths.every((length) => length === 0),
      )
      await untilQueueIdle(deliveries)
    }

    beforeAll(async () => {
      receiver = await startWebhookReceiver()
      first = await createHarness('shard-spread', settings())
      second = await createHarness('shard-spread', settings())
      deliveries = new Queue(DELIVERY_QUEUE, {
        connection: first.connect(),
        prefix: queuePrefix(first.config, DELIVERY_QUEUE),
      })
      await first.startWorkers(watch('first'))
      await second.startWorkers(watch('second'))
      key = (await first.apiKeys.create('shop-shards')).key
      const subscribed = await first.request(key, '/v1/webhooks', {
        method: 'POST',
        body: JSON.stringify({ url: receiver.url }),
      })
      expect(subscribed.status).toBe(201)
    })

    afterAll(async () => {
      await deliveries?.close()
      if (!secondStopped) await second?.close()
      await first?.close()
      await receiver?.close()
    })

    it("takes a dead worker's shards over once its lease runs out, and splits them evenly", async () => {
      const evenSplit = (held: Map<number, string>) => {
        const counts = new Map<string, number>()
        for (const owner of held.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1)
        return (
          held.size === SHARDS &&
          counts.size === 2 &&
          [...counts.values()].every((count) => count === SHARDS / 2)
        )
      }
      const live = new Set((await eventually(owners, evenSplit)).values())
      // A third worker joins, gets its share as the others give some back, then dies.
      const ghost = createRedisShardLeaseStore(first.redis, prefix, SHARDS)
      const ghostHeld = await eventually(
        async () => (await ghost.balance('ghost', LEASE_MS)).held,
        (held) => held.length > 0,
        5 * LEASE_MS,
      )
      const diedAt = Date.now()
      expect((await owners()).get(ghostHeld[0] as number)).toBe('ghost')
      // Its leases run out a lease after its last renewal; a live worker's next round (within a third of
      // a lease) takes them.
      const after = await eventually(
        owners,
        (held) => held.size === SHARDS && !new Set(held.values()).has('ghost'),
      )
      expect(Date.now() - diedAt).toBeLessThan(LEASE_MS + LEASE_MS / 3 + 500)
      expect(new Set(after.values())).toEqual(live)
      await eventually(owners, evenSplit)
    })

    it('claims every tracking from the worker set holding its shard, and sends each notification once', async () => {
      const ids: string[] = []
      const shardsCovered = new Set<number>()
      for (let index = 0; shardsCovered.size < SHARDS; index++) {
        expect(index).toBeLessThan(200)
        const id = await register(`SBXDELIVERED${String(index).padStart(3, '0')}`)
        ids.push(id)
        shardsCovered.add(keys.shardOf(id))
      }
      await untilDelivered(ids)
      await untilRelayed()

      const setsOfShard = new Map<number, Set<string>>()
      for (const { set, id } of claims) {
        if (!ids.includes(id)) continue
        const sets = setsOfShard.get(keys.shardOf(id)) ?? new Set<string>()
        setsOfShard.set(keys.shardOf(id), sets.add(set))
      }
      expect(setsOfShard.size).toBe(SHARDS)
      for (const sets of setsOfShard.values()) expect(sets.size).toBe(1)
      const shardsOf = (set: string) =>
        [...setsOfShard].filter(([, sets]) => sets.has(set)).map(([shard]) => shard)
      expect(shardsOf('first')).toHaveLength(SHARDS / 2)
      expect(shardsOf('second')).toHaveLength(SHARDS / 2)

      const received = receiver.received.map((request) => ({
        webhookId: String(request.headers['webhook-id']),
        payload: JSON.parse(request.body) as Payload,
      }))
      expect(new Set(received.map(({ webhookId }) => webhookId)).size).toBe(received.length)
      const notifications = received.map(
        ({ payload }) => `${payload.data.tracking.id}/${payload.type}/${payload.data.sequence}`,
      )
      expect(new Set(notifications).size).toBe(notifications.length)
      for (const id of ids) {
        const mine = received.filter(({ payload }) => payload.data.tracking.id === id)
        expect(
          mine.some(({ payload }) => payload.data.tracking.status === 'delivered'),
          id,
        ).toBe(true)
        // The webhook-id names the entry's shard: two shards' outboxes may give the same entry id.
        for (const { webhookId } of mine)
          expect(webhookId).toMatch(new RegExp(`^msg_\\d+x\\d+x${keys.shardOf(id)}$`))
      }
    })

    it("hands a stopped worker set's shards to the other within a lease, which then claims them", async () => {
      const before = await owners()
      secondStopped = true
      // Closing first lets its polls in flight finish: the lease counts from the shards given back.
      await second.close()
      const stoppedAt = Date.now()
      const after = await eventually(
        owners,
        (held) => held.size === SHARDS && new Set(held.values()).size === 1,
      )
      expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS)
      const survivor = [...after.values()][0]
      const orphaned = [...before].filter(([, owner]) => owner !== survivor).map(([shard]) => shard)
      expect(orphaned).toHaveLength(SHARDS / 2)

      const ids: string[] = []
      for (let index = 200; !ids.some((id) => orphaned.includes(keys.shardOf(id))); index++) {
        expect(index).toBeLessThan(400)
        ids.push(await register(`SBXDELIVERED${String(index).padStart(3, '0')}`))
      }
      await untilDelivered(ids)
      for (const id of ids)
        expect(claims.filter((claim) => claim.id === id).map((claim) => claim.set)).not.toContain('second')
      expect(claims.some((claim) => ids.includes(claim.id) && claim.set === 'first')).toBe(true)
    })
  })
}
