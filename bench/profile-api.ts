// Profiling entry: `npx tsx bench/profile-api.ts [rate]` profiles colis' API server (a child process,
// `--cpu-prof`: CPU.*.cpuprofile in the working directory, for Chrome DevTools) under figure 3's open
// loop — evenly spaced `GET /v1/trackings/{id}` of a 20-event tracking, 4000 req/s unless told — for
// 10 s after a 2-s warm-up. The profile covers the server's whole life, start-up included.
import { startBenchRedis, startBenchServer } from './api-load.js'
import { seed } from './figures/api-read.js'
import { startOpenLoopProcess } from './open-loop.js'

const rate = Number(process.argv[2] ?? 4000)
process.env.COLIS_BENCH_SERVER_ARGS = `--cpu-prof ${process.env.COLIS_BENCH_SERVER_ARGS ?? ''}`
const redis = await startBenchRedis()
const { key, ids } = await seed(redis.url, 1)
const server = await startBenchServer('colis', { REDIS_URL: redis.url, COLIS_REDIS_PREFIX: 'bench-read' })
const generator = await startOpenLoopProcess()
const load = (requestsPerSecond: number, seconds: number) => ({
  origin: new URL(server.url).origin,
  path: `/v1/trackings/${ids[0]}`,
  headers: { authorization: `Bearer ${key}` },
  rate: requestsPerSecond,
  seconds,
  connections: 32,
})
await generator.run(load(Math.round(rate / 2), 2))
const cpuBefore = server.cpuMs()
const result = await generator.run(load(rate, 10))
const cpuAfter = server.cpuMs()
const cpu =
  cpuBefore === undefined || cpuAfter === undefined
    ? '?'
    : (((cpuAfter - cpuBefore) * 1000) / result.ok).toFixed(0)
console.log(
  `${rate} req/s for 10 s: p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, server CPU ${cpu} µs a request`,
)
await generator.close()
await server.stop()
await redis.stop()
