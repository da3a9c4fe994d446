import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { startLocalRedis } from '../../src/redis/local-redis.js'
import { atLeast, atMost, type Figure, type FigureModule } from '../figure.js'
import { measurePollCost, measurePollFloor, type PollCost, type PollFloor } from '../poll-cost.js'

/** The middle value (the upper one of an even count): always one of the measured values. */
function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
}

const CONCURRENCY = 50

/** A bare BullMQ worker with a no-op processor, same Redis build and concurrency: the engine's ceiling. */
async function bareBullMqJobsPerSecond(jobs: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'colis-bench-bare-'))
  const redis = await startLocalRedis({ dir })
  // BullMQ leaves connections it was given open: they are closed here, before redis-server stops.
  const connections: Redis[] = []
  const connection = () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null })
    connections.push(client)
    return client
  }
  const queue = new Queue('bare', { connection: connection() })
  for (let start = 0; start < jobs; start += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - start) }, (_, index) => ({
        name: 'poll',
        data: { ids: [`trk_${start + index}`] },
        opts: { jobId: `bare-${start + index}` },
      })),
    )
  }
  let done = 0
  const started = performance.now()
  const finished = new Promise<void>((resolve) => {
    const worker = new Worker('bare', async () => {}, {
      connection: connection(),
      concurrency: CONCURRENCY,
      removeOnComplete: { count: 1000 },
    })
    worker.on('completed', () => {
      done++
      if (done === jobs) void worker.close().then(() => resolve())
    })
  })
  await finished
  const rate = jobs / ((performance.now() - started) / 1000)
  await queue.close()
  await Promise.all(connections.map((client) => client.quit()))
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
  return rate
}

/**
 * Figure 1 (poll pipeline vs bare BullMQ, round trips and CPU per poll) and figure 2 (carrier requests
 * per 1000 polls with 10-id La Poste batches), measured with the real dispatcher, poll job, adapter,
 * merge and store against a loopback La Poste.
 */
export const pollPipeline: FigureModule = async ({ quick }) => {
  const parcels = quick ? 3_000 : 10_000
  // Alternating pairs, the median ratio kept: a shared machine's load swings within seconds, and a ratio
  // of two runs minutes apart measures the swing more than colis.
  const rounds = quick ? 3 : 5
  // Each round also measures the floor (the same jobs doing only their unavoidable I/O): what is left
  // between colis and bare BullMQ once that floor is subtracted is colis' own work.
  const pairs: Array<{ bare: number; floor: PollFloor; batched: PollCost }> = []
  // One unmeasured round first: a worker polls for days, and the first seconds of this process are V8
  // compiling the poll path (the first colis round used to be the slowest of the pairs).
  await bareBullMqJobsPerSecond(1_000)
  await measurePollFloor(1_000, 10, CONCURRENCY)
  await measurePollCost(1_000, 10, CONCURRENCY, false)
  for (let round = 0; round < rounds; round++) {
    const bare = await bareBullMqJobsPerSecond(parcels)
    const floor = await measurePollFloor(parcels, 10, CONCURRENCY)
    pairs.push({ bare, floor, batched: await measurePollCost(parcels, 10, CONCURRENCY, false) })
  }
  const ratios = pairs.map((pair) => pair.batched.pollsPerSecond / pair.bare)
  const floorRatios = pairs.map((pair) => pair.floor.pollsPerSecond / pair.bare)
  const medianPair = pairs[ratios.indexOf(median(ratios))] as (typeof pairs)[number]
  const { bare, floor, batched } = medianPair
  const single = await measurePollCost(quick ? 500 : 2_000, 1, 1)
  const singleBatch10 = await measurePollCost(quick ? 500 : 2_000, 10, 1)
  const figures: Figure[] = [
    atLeast('poll-pipeline-vs-bare-bullmq', Math.round(batched.pollsPerSecond), 'polls/s', 0.5, {
      baseline: Math.round(bare),
      ratio: Number((batched.pollsPerSecond / bare).toFixed(3)),
      note: `${parcels} parcels, La Poste batches of 10, concurrency ${CONCURRENCY}; baseline = no-op BullMQ jobs/s; median of ${rounds} alternating pairs after an unmeasured warm-up round, ratios ${ratios.map((ratio) => ratio.toFixed(2)).join(' ')}`,
    }),
    atMost('poll-redis-round-trips-per-poll', Number(single.roundTripsPerPoll.toFixed(2)), 'round trips', 5, {
      note: 'one parcel per job, concurrency 1, dispatcher ticking every 250 ms (exact count through a TCP proxy; idle loops of the relay and other workers included)',
    }),
    atMost(
      'poll-redis-round-trips-per-parcel-batched',
      Number(singleBatch10.roundTripsPerPoll.toFixed(2)),
      'round trips',
      5,
      {
        note: '10 parcels per job, concurrency 1',
      },
    ),
    {
      name: 'poll-pipeline-floor-vs-bare-bullmq',
      value: Math.round(floor.pollsPerSecond),
      unit: 'polls/s',
      baseline: Math.round(bare),
      ratio: Number((floor.pollsPerSecond / bare).toFixed(3)),
      target: 'info',
      pass: true,
      note: `the same jobs (10 ids, concurrency ${CONCURRENCY}) doing only a poll's unavoidable I/O: one pipelined read, one HTTP exchange with the loopback La Poste (colis' carrier HTTP client, JSON parsed), one compare-and-set script per parcel; ${floor.cpuMsPerPoll.toFixed(3)} ms CPU and ${floor.redisCpuMsPerPoll.toFixed(3)} ms redis-server CPU per parcel; ratios ${floorRatios.map((ratio) => ratio.toFixed(2)).join(' ')}`,
    },
    {
      name: 'poll-cpu-ms-per-poll',
      value: Number(batched.cpuMsPerPoll.toFixed(3)),
      unit: 'ms',
      target: 'info',
      pass: true,
      note: `CPU of the colis process (dispatcher, poll jobs, the other workers' loops) / parcels polled, batched; redis-server used ${batched.redisCpuMsPerPoll.toFixed(3)} ms per parcel, the loopback carrier (its own process) ${batched.carrierCpuMsPerPoll.toFixed(3)} ms`,
    },
    atMost(
      'carrier-requests-per-1000-polls',
      Math.round(batched.carrierRequestsPer1000Polls),
      'requests',
      110,
      {
        note: 'La Poste 10-id batches',
      },
    ),
  ]
  return figures
}
