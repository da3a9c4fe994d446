// Bytes the colis process allocates per poll, and where: `npx tsx bench/poll-alloc.ts`.
// V8's sampling heap profiler (a sample every 1024 bytes allocated, garbage included) over 10 000 polls
// through the real workers in the figure-1 mix, after an unsampled warm-up round; the functions that
// allocated most, by their own allocations.
import { Session } from 'node:inspector/promises'
import { adaptivePollMix } from './figures/freshness.js'
import { measurePollCost, throughputPolls, warmUpPolls } from './poll-cost.js'

interface SamplingNode {
  callFrame: { functionName: string; url: string }
  selfSize: number
  children: SamplingNode[]
}

const options = throughputPolls(10_000, adaptivePollMix())
await warmUpPolls(options)
const session = new Session()
session.connect()
await session.post('HeapProfiler.enable')
let head: SamplingNode | undefined
await measurePollCost({
  ...options,
  around: {
    async start() {
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      })
    },
    async stop() {
      head = (await session.post('HeapProfiler.stopSampling')).profile.head as SamplingNode
    },
  },
})
const bySite = new Map<string, number>()
let total = 0
const visit = (node: SamplingNode) => {
  const { functionName, url } = node.callFrame
  const site = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|workers|adapters|bench)\//, '$1/')}`
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize)
  total += node.selfSize
  for (const child of node.children) visit(child)
}
if (head) visit(head)
const perPoll = (bytes: number) => Math.round(bytes / options.trackings)
console.log(`${perPoll(total)} bytes allocated a poll (${options.trackings} polls); the 20 largest sites:`)
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 20))
  console.log(`  ${String(perPoll(bytes)).padStart(6)} B  ${site}`)
// BullMQ's closed connections may still try to reconnect: leave at once.
process.exit(0)
