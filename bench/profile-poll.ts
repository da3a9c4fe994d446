// Profiling entry: `npx tsx bench/profile-poll.ts [--first-scans]` writes poll.cpuprofile (open it in
// Chrome DevTools), sampled over the measured polls only: registration and the warm-up poll are left out.
// Straight to Redis: the round-trip counting proxy is JavaScript in this process and would be profiled too.
// The loopback La Poste runs in a child process (bench/fake-laposte.ts), not in this profile.
import { writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'
import { adaptivePollMix } from './figures/freshness.js'
import { measurePollCost, throughputPolls, warmUpPolls } from './poll-cost.js'

const mix = process.argv.includes('--first-scans')
  ? undefined
  : process.argv.includes('--no-news')
    ? { knownEvents: 4.4, newsShare: 0 }
    : adaptivePollMix()
const options = throughputPolls(10_000, mix)
// Twice unprofiled first: the first polls of a process are V8 compiling the poll path.
await warmUpPolls(options, 2)
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: 100 })
const cost = await measurePollCost({
  ...options,
  around: {
    start: () => session.post('Profiler.start'),
    async stop() {
      const { profile } = await session.post('Profiler.stop')
      writeFileSync('poll.cpuprofile', JSON.stringify(profile))
    },
  },
})
console.log(cost)
// BullMQ's closed connections may still try to reconnect: leave at once.
process.exit(0)
