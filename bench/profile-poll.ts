// Profiling entry: `node --cpu-prof --import tsx bench/profile-poll.ts` (writes a .cpuprofile).
import { measurePollCost } from './poll-cost.js'

measurePollCost(5000, 10, 50).then((cost) => console.log(cost))
