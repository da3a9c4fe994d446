// GC of the colis process per poll, for the young generation it was given:
//   NODE_OPTIONS=--max-semi-space-size=16 npx tsx bench/poll-gc.ts   (Node 20's own size)
//   NODE_OPTIONS=--max-semi-space-size=32 npx tsx bench/poll-gc.ts   (colis' NODE_FLAGS)
// Four rounds of 20 000 polls through the real workers in the figure-1 mix (10-id La Poste batches,
// concurrency 50), and the process' largest resident set. A `gc` PerformanceObserver counts the pauses
// over the measured polls only, young generation (scavenges) apart from the rest (mark-compact and its
// incremental steps).
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { adaptivePollMix } from './figures/freshness.js'
import { measurePollCost, throughputPolls, warmUpPolls } from './poll-cost.js'

const ROUNDS = 4
const totals = { minorMs: 0, minor: 0, otherMs: 0, other: 0 }
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = (entry.detail as { kind?: number } | undefined)?.kind
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
      totals.minorMs += entry.duration
      totals.minor++
    } else {
      totals.otherMs += entry.duration
      totals.other++
    }
  }
}).observe({ entryTypes: ['gc'] })

const options = throughputPolls(20_000, adaptivePollMix())
await warmUpPolls(options)
const lines: string[] = []
for (let round = 0; round < ROUNDS; round++) {
  let before = { ...totals }
  let gc = ''
  const cost = await measurePollCost({
    ...options,
    around: {
      async start() {
        before = { ...totals }
      },
      async stop() {
        const perPoll = (ms: number) => ((ms / options.trackings) * 1000).toFixed(1)
        gc = `scavenges ${totals.minor - before.minor} (${perPoll(totals.minorMs - before.minorMs)} µs a poll), other GC ${totals.other - before.other} (${perPoll(totals.otherMs - before.otherMs)} µs a poll)`
      },
    },
  })
  lines.push(`CPU ${(cost.cpuMsPerPoll * 1000).toFixed(0)} µs a poll; ${gc}`)
}
// What the young generation costs in memory: this process' largest resident set over the whole run.
const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
console.log(
  `${process.env.NODE_OPTIONS || 'no NODE_OPTIONS'}, ${ROUNDS} × ${options.trackings} polls, max RSS ${maxRssMb} MB:\n  ${lines.join('\n  ')}`,
)
// BullMQ's closed connections may still try to reconnect: leave at once.
process.exit(0)
