// npx tsx bench/carrier-http-cost.ts: CPU of this process per La Poste exchange (one 10-id batch against
// the loopback carrier), rounds alternating, 5 requests in flight as a poll worker has: colis' carrier
// client against global fetch with an undici Agent (what it used before; read here with `text()`, the
// cheaper way, where it streamed the body to cap it) and against `undici.request` (faster, but nock 14
// does not intercept it, and the adapter tests mock carriers with nock).
import { Agent, request } from 'undici'
import { createCarrierHttp } from '../adapters/carrier-http.js'
import { laPosteNumber } from './poll-cost.js'
import { startFakeLaPoste } from './support.js'

const REQUESTS = 5_000
const IN_FLIGHT = 5

const carrier = await startFakeLaPoste()
await carrier.setMix({ knownEvents: 4, newsShare: 0, generation: 1 })
const url = `${carrier.baseUrl}/idships/${Array.from({ length: 10 }, (_, index) => laPosteNumber(index)).join(',')}?lang=fr_FR`
const client = createCarrierHttp({ carrier: 'laposte', timeoutMs: 10_000, connections: 32 })
const agent = new Agent({ connections: 32, keepAliveTimeout: 30_000 })

const variants: Record<string, () => Promise<string>> = {
  'colis carrier client (node:http)': async () => (await client.request(url)).text,
  'global fetch + undici Agent': async () => {
    const response = await fetch(url, {
      signal: AbortSignal.timeout(10_000),
      redirect: 'manual',
      // @ts-expect-error undici's dispatcher option is not in the DOM RequestInit type
      dispatcher: agent,
    })
    return response.text()
  },
  'undici.request + undici Agent': async () => {
    const response = await request(url, { signal: AbortSignal.timeout(10_000), dispatcher: agent })
    return response.body.text()
  },
}

async function cpuMicrosPerRequest(exchange: () => Promise<string>, requests: number): Promise<number> {
  let started = 0
  let bytes = 0
  const before = process.cpuUsage()
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started++ < requests) bytes += (await exchange()).length
    }),
  )
  const used = process.cpuUsage(before)
  if (bytes < requests * 1000) throw new Error(`short answers: ${bytes} bytes`)
  return (used.user + used.system) / requests
}

for (const exchange of Object.values(variants)) await cpuMicrosPerRequest(exchange, 1_000)
const bodyBytes = (await client.request(url)).text.length
console.log(`${REQUESTS} requests a round, ${IN_FLIGHT} in flight, answers of ${bodyBytes} bytes`)
for (let round = 1; round <= 3; round++) {
  for (const [name, exchange] of Object.entries(variants)) {
    console.log(
      `round ${round}  ${name.padEnd(34)} ${(await cpuMicrosPerRequest(exchange, REQUESTS)).toFixed(0)} µs of CPU a request`,
    )
  }
}
await client.close()
await agent.close()
await carrier.close()
