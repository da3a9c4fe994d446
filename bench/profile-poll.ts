// Profiling entry: `node --cpu-prof --import tsx bench/profile-poll.ts` (writes a .cpuprofile).
// Straight to Redis: the round-trip counting proxy is JavaScript in this process and would be profiled too.
// The loopback La Poste runs in a child process (bench/fake-laposte.ts), not in this profile.
import { measurePollCost } from './poll-cost.js'

measurePollCost(5000, 10, 50, false).then((cost) => {
  console.log(cost)
  // BullMQ's closed connections may still try to reconnect: leave at once, the profile is written on exit.
  process.exit(0)
})
