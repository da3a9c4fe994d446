import { type Job, Queue } from 'bullmq'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type CarrierAdapter, CarrierError } from '../../adapters/contract.js'
import { createSilentLogger } from '../../src/logger.js'
import { createCarriers } from '../../src/main/policies.js'
import { createRedisKeys } from '../../src/store/redis/redis-keys.js'
import type { CarrierPoller } from '../../workers/carrier-poller.js'
import { laneOfShard, type PollJobData, pollQueueNames, queuePrefix } from '../../workers/jobs.js'
import { FAST_SANDBOX_POLLING } from '../support/fast-polling.js'
import { createHarness, eventually, type Harness } from '../support/harness.js'
import { startSandboxPoller } from '../support/sandbox-poller.js'

/**
 * POLL_QUEUE_LANES on one Redis with four shards: a carrier's trackings are polled through two
 * queues, each with the shards of its lane, and what the carrier answers holds for both.
 */
describe('poll lanes: a carrier polled through two queues', () => {
  let harness: Harness
  let queues: Queue<PollJobData>[]
  let carriers: ReturnType<typeof createCarriers>
  let poller: CarrierPoller | undefined

  // Each test on a harness of its own: the parcels of one stay due, and would be polled in the next.
  beforeEach(async () => {
    harness = await createHarness('poll-lanes', {
      ...FAST_SANDBOX_POLLING,
      COLIS_SHARDS: '4',
      POLL_QUEUE_LANES: '2',
    })
    queues = pollQueueNames('sandbox', harness.config.POLL_QUEUE_LANES).map(
      (name) =>
        new Queue<PollJobData>(name, {
          connection: harness.connect(),
          prefix: queuePrefix(harness.config, name),
        }),
    )
    carriers = createCarriers(harness.config, createSilentLogger())
  })

  afterEach(async () => {
    await poller?.stop()
    poller = undefined
    for (const queue of queues ?? []) await queue.close()
    await carriers?.close()
    await harness?.close()
  })

  const keys = () => createRedisKeys(harness.config.COLIS_REDIS_PREFIX, harness.config.COLIS_SHARDS)
  const laneOf = (trackingId: string) =>
    laneOfShard(keys().shardOf(trackingId), harness.config.COLIS_SHARDS, harness.config.POLL_QUEUE_LANES)

  type Registered = { id: string; trackingNumber: string }

  /** Sandbox trackings, `counts[lane]` in each lane (the others registered on the way are deleted). */
  async function registerInLanes(
    counts: [number, number],
    merchantId: string,
  ): Promise<[Registered[], Registered[]]> {
    const byLane: [Registered[], Registered[]] = [[], []]
    const missing = () => byLane.some((lane, at) => lane.length < (counts[at] ?? 0))
    for (let serial = 0; missing(); serial++) {
      const trackingNumber = `SBXDELIVERED${String(serial).padStart(3, '0')}`
      const { record } = await harness.store.register(
        { merchantId, carrier: 'sandbox', trackingNumber },
        new Date(),
      )
      const lane = laneOf(record.id) as 0 | 1
      if (byLane[lane].length < counts[lane]) byLane[lane].push({ id: record.id, trackingNumber })
      else await harness.store.delete(merchantId, record.id)
    }
    return byLane
  }

  /** A poller of the sandbox, with `track` standing in for the sandbox's own. */
  async function startPoller(track?: CarrierAdapter['track']): Promise<CarrierPoller> {
    const sandbox = carriers.get('sandbox') as CarrierAdapter
    const adapter: CarrierAdapter = track ? Object.assign(Object.create(sandbox), { track }) : sandbox
    return startSandboxPoller({
      ...harness,
      carriers,
      adapter,
      shards: () => [0, 1, 2, 3],
      logger: createSilentLogger(),
    })
  }

  const jobsOf = (queue: Queue<PollJobData>) => queue.getJobs(['completed', 'failed', 'active', 'wait'])
  const idsOf = (jobs: Job<PollJobData>[]) => jobs.flatMap((job) => job.data.ids)

  it("polls each shard's trackings through its own lane's queue", async () => {
    const registered = (await registerInLanes([4, 4], 'shop-lanes')).flat().map(({ id }) => id)
    poller = await startPoller()
    const polled = await eventually(
      () => Promise.all(queues.map(async (queue) => idsOf(await jobsOf(queue)))),
      (lanes) => registered.every((id) => lanes.flat().includes(id)),
    )
    polled.forEach((ids, lane) => {
      expect(ids.length).toBeGreaterThan(0)
      expect(ids.filter((id) => laneOf(id) !== lane)).toEqual([])
    })
  })

  it('slows every lane when the carrier asks one lane to wait', async () => {
    // A parcel in lane 0 only: lane 1 polls nothing, so only the fan-out can limit it.
    const [[inLaneZero] = []] = await registerInLanes([1, 0], 'shop-lanes-slow')
    let asked = 0
    poller = await startPoller(async (query) => {
      asked++
      expect(query.trackingNumber).toBe(inLaneZero?.trackingNumber)
      throw new CarrierError('rate_limited', 'slow down', { retryAfterMs: 60_000 })
    })
    const ttls = await eventually(
      () => Promise.all(queues.map((queue) => queue.getRateLimitTtl())),
      (limits) => limits.every((ttl) => ttl > 0),
    )
    expect(asked).toBeGreaterThan(0)
    for (const ttl of ttls) expect(ttl).toBeLessThanOrEqual(60_000)
  })

  it('pauses every lane when the carrier refuses the credentials in one', async () => {
    const [, [inLaneOne] = []] = await registerInLanes([0, 1], 'shop-lanes-refused')
    poller = await startPoller(async (query) => {
      expect(query.trackingNumber).toBe(inLaneOne?.trackingNumber)
      throw new CarrierError('unauthorized', 'bad key')
    })
    await eventually(
      () => Promise.all(queues.map((queue) => queue.isPaused())),
      (paused) => paused.every(Boolean),
    )
  })
})
