import { Redis } from 'ioredis'
import { createStores } from '../../src/main/stores.js'
import { startBenchRedis, startBenchServer } from '../api-load.js'
import { atMost, type BenchOptions, type Figure, type FigureModule } from '../figure.js'
import { laPosteNumber } from '../poll-cost.js'

const PREFIX = 'bench-registration'
const TARGET_PARCELS = 100_000
const BATCH = 1000
/** Batch requests in flight at once. */
const PARALLEL = 4

export interface RegistrationMeasurement {
  parcels: number
  requests: number
  seconds: number
  parcelsPerSecond: number
  serverCpuMs?: number
  redisCpuMs: number
  redisMemoryMb: number
}

/** `parcels` La Poste parcels through `POST /v1/trackings/batch` of the real service, 1000 per call. */
export async function measureRegistration(parcels: number): Promise<RegistrationMeasurement> {
  const redis = await startBenchRedis()
  const client = new Redis(redis.url, { maxRetriesPerRequest: null })
  try {
    const { key } = await createStores(client, PREFIX).apiKeys.create('bench-shop')
    const server = await startBenchServer('colis', { REDIS_URL: redis.url, COLIS_REDIS_PREFIX: PREFIX })
    try {
      const url = `${server.url}/v1/trackings/batch`
      const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' }
      // Bodies are the client's business: built before the clock starts.
      const bodies = Array.from({ length: Math.ceil(parcels / BATCH) }, (_, request) =>
        JSON.stringify({
          trackings: Array.from({ length: Math.min(BATCH, parcels - request * BATCH) }, (_, item) => ({
            trackingNumber: laPosteNumber(request * BATCH + item),
            carrier: 'laposte',
            orderId: `ORDER-${request * BATCH + item}`,
          })),
        }),
      )
      // Warm-up (JIT, scripts) on numbers outside the measured range.
      const warm = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          trackings: Array.from({ length: 200 }, (_, item) => ({
            trackingNumber: laPosteNumber(9_000_000 + item),
            carrier: 'laposte',
          })),
        }),
      })
      if (warm.status !== 200) throw new Error(`warm-up: ${warm.status} ${await warm.text()}`)
      await warm.arrayBuffer()

      const redisCpu = async () => {
        const info = await client.info('cpu')
        const read = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? 0)
        return (read('used_cpu_sys') + read('used_cpu_user')) * 1000
      }
      const redisCpuBefore = await redisCpu()
      let next = 0
      let created = 0
      const cpuBefore = server.cpuMs()
      const started = performance.now()
      const worker = async () => {
        while (next < bodies.length) {
          const body = bodies[next++] as string
          const response = await fetch(url, { method: 'POST', headers, body })
          if (response.status !== 200) throw new Error(`batch: ${response.status} ${await response.text()}`)
          const { results } = (await response.json()) as { results: Array<{ status: number }> }
          created += results.filter((result) => result.status === 201).length
        }
      }
      await Promise.all(Array.from({ length: PARALLEL }, worker))
      const seconds = (performance.now() - started) / 1000
      const cpuAfter = server.cpuMs()
      const redisCpuMs = (await redisCpu()) - redisCpuBefore
      if (created !== parcels) throw new Error(`${created} of ${parcels} parcels created`)
      const memory = Number((await client.info('memory')).match(/used_memory:(\d+)/)?.[1] ?? 0)
      return {
        parcels,
        requests: bodies.length,
        seconds,
        parcelsPerSecond: parcels / seconds,
        ...(cpuBefore !== undefined && cpuAfter !== undefined ? { serverCpuMs: cpuAfter - cpuBefore } : {}),
        redisCpuMs,
        redisMemoryMb: memory / 1024 / 1024,
      }
    } finally {
      await server.stop()
    }
  } finally {
    client.disconnect()
    await redis.stop()
  }
}

export const registration: FigureModule = async (options: BenchOptions): Promise<Figure[]> => {
  const parcels = options.quick ? 20_000 : TARGET_PARCELS
  const m = await measureRegistration(parcels)
  const value = (m.seconds * TARGET_PARCELS) / parcels
  const cpu = `${m.serverCpuMs === undefined ? '' : `, server CPU ${(m.serverCpuMs / 1000).toFixed(1)} s`}, redis CPU ${(m.redisCpuMs / 1000).toFixed(1)} s`
  const how = `${m.requests} POST /v1/trackings/batch × ${BATCH} La Poste parcels, ${PARALLEL} in flight, to the real service (child \`node --import tsx bench/api-server.ts\`) on a private redis-server`
  return [
    atMost('registration-100k-seconds', Number(value.toFixed(2)), 's', 60, {
      note:
        parcels === TARGET_PARCELS
          ? `measured: ${parcels} parcels in ${m.seconds.toFixed(2)} s (${Math.round(m.parcelsPerSecond)}/s${cpu}, Redis ${m.redisMemoryMb.toFixed(0)} MB); ${how}`
          : `EXTRAPOLATED (quick mode) from ${parcels} parcels in ${m.seconds.toFixed(2)} s (${Math.round(m.parcelsPerSecond)}/s${cpu}) × ${TARGET_PARCELS / parcels}; ${how}`,
    }),
  ]
}
