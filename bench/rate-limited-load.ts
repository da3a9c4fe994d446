// Why figure 3's p99 at 70 % comes from bench/open-loop.ts and not autocannon's `overallRate`:
//   npx tsx bench/rate-limited-load.ts
// Against one colis API server (child process, private redis-server, a 20-event tracking), measures
// the maximum rate (autocannon, closed loop), then at 30 %, 50 % and 70 % of it the p99 of both
// generators in turn, and the server's CPU per request. autocannon paces by bursts (each connection
// sends its share of the second at full speed, then waits) and corrects with a 1 ms expected interval.
import { autocannon, ratePerSecond, startBenchRedis, startBenchServer } from './api-load.js'
import { seed } from './figures/api-read.js'
import { openLoop } from './open-loop.js'

const CONNECTIONS = 32
const SECONDS = 3

const redis = await startBenchRedis()
const server = await startBenchServer('colis', { REDIS_URL: redis.url, COLIS_REDIS_PREFIX: 'bench-read' })
try {
  const { key, ids } = await seed(redis.url, 1)
  const path = `/v1/trackings/${ids[0]}`
  const headers = { authorization: `Bearer ${key}` }
  const url = `${server.url}${path}`
  const origin = new URL(server.url).origin
  const cpuPerRequest = async (load: () => Promise<number>) => {
    const before = server.cpuMs() ?? Number.NaN
    const answered = await load()
    return (((server.cpuMs() ?? Number.NaN) - before) * 1000) / answered
  }
  await autocannon({ url, headers, connections: CONNECTIONS, duration: 2 })
  let maximum = 0
  let maxP99 = 0
  const maxCpu = await cpuPerRequest(async () => {
    const result = await autocannon({ url, headers, connections: CONNECTIONS, duration: SECONDS })
    maximum = ratePerSecond(result)
    maxP99 = result.latency.p99
    return result['2xx']
  })
  console.log(
    `maximum ${Math.round(maximum)} req/s (closed loop), p99 ${maxP99} ms, ${Math.round(maxCpu)} µs CPU/request`,
  )
  await openLoop({
    origin,
    path,
    headers,
    rate: Math.round(maximum * 0.3),
    seconds: 0.5,
    connections: CONNECTIONS,
  })
  for (const share of [0.3, 0.5, 0.7]) {
    const rate = Math.round(maximum * share)
    const paced = await autocannon({
      url,
      headers,
      connections: CONNECTIONS,
      duration: SECONDS,
      overallRate: rate,
    })
    let open = await openLoop({ origin, path, headers, rate, seconds: 0.1, connections: CONNECTIONS })
    const openCpu = await cpuPerRequest(async () => {
      open = await openLoop({ origin, path, headers, rate, seconds: SECONDS, connections: CONNECTIONS })
      return open.ok
    })
    console.log(
      `${share * 100} % (${rate} req/s): autocannon overallRate p99 ${paced.latency.p99} ms; open loop p99 ${open.p99Ms.toFixed(1)} ms, p50 ${open.p50Ms.toFixed(1)} ms, ${Math.round(openCpu)} µs CPU/request, generator stall ${open.generatorStallMs.toFixed(1)} ms`,
    )
  }
} finally {
  await server.stop()
  await redis.stop()
}
process.exit(0)
