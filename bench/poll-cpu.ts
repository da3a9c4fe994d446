// CPU per poll of the colis process, and the cost of each pure step of an answer:
//   npx tsx bench/poll-cpu.ts [--no-news | --first-scans]
// Five rounds of 20 000 polls (10-id La Poste batches, concurrency 50) through the real workers, in the
// figure-1 mix unless told otherwise; the minimum is the least noisy estimate on a shared machine.
import { readLaPosteAnswers } from '../adapters/laposte/client.js'
import { mapLaPosteShipment } from '../adapters/laposte/map-events.js'
import { snapshotDigest } from '../src/domain/carrier-snapshot.js'
import { createSilentLogger } from '../src/logger.js'
import { adaptivePollMix } from './figures/freshness.js'
import { laPosteItem } from './laposte-answers.js'
import { laPosteNumber, measurePollCost, throughputPolls, warmUpPolls } from './poll-cost.js'

const ROUNDS = 5
const mix = process.argv.includes('--first-scans')
  ? undefined
  : process.argv.includes('--no-news')
    ? { knownEvents: 4.4, newsShare: 0 }
    : adaptivePollMix()

/** µs per call of `step`, after a warm-up. */
function microseconds(step: () => unknown, calls = 50_000): number {
  for (let call = 0; call < 5_000; call++) step()
  const started = performance.now()
  for (let call = 0; call < calls; call++) step()
  return ((performance.now() - started) * 1000) / calls
}

// The pure steps, on a 10-item answer whose histories are those of the measured mix.
const body = JSON.stringify(
  Array.from({ length: 10 }, (_, index) =>
    laPosteItem(
      laPosteNumber(index),
      { knownEvents: mix?.knownEvents ?? 4.4, newsShare: 0, generation: 0 },
      Date.now(),
    ),
  ),
)
const logger = createSilentLogger()
const answers = readLaPosteAnswers(body)
const shipments = answers.flatMap((answer) => ('shipment' in answer ? [answer.shipment] : []))
const snapshots = shipments.map((shipment) => mapLaPosteShipment(shipment, logger))
const events = snapshots.reduce((sum, snapshot) => sum + snapshot.events.length, 0) / snapshots.length
console.log(`a 10-item answer of ${body.length} B, ${events.toFixed(1)} scans an item; µs per item:`)
console.log(`  JSON.parse             ${(microseconds(() => JSON.parse(body)) / 10).toFixed(1)}`)
console.log(`  JSON.parse + zod       ${(microseconds(() => readLaPosteAnswers(body)) / 10).toFixed(1)}`)
const map = microseconds(() => {
  for (const shipment of shipments) mapLaPosteShipment(shipment, logger)
})
console.log(`  mapping (ids included) ${(map / 10).toFixed(1)}`)
const digest = microseconds(() => {
  for (const snapshot of snapshots) snapshotDigest(snapshot)
})
console.log(`  snapshotDigest         ${(digest / 10).toFixed(1)}`)

const options = throughputPolls(20_000, mix)
await warmUpPolls(options)
const cpu: number[] = []
for (let round = 0; round < ROUNDS; round++) cpu.push((await measurePollCost(options)).cpuMsPerPoll * 1000)
cpu.sort((a, b) => a - b)
const what = mix ? `${(mix.newsShare * 100).toFixed(0)} % of polls finding a new scan` : 'first scans'
console.log(
  `CPU per poll, colis process (${what}), ${ROUNDS} × ${options.trackings} polls: min ${cpu[0]?.toFixed(0)} µs, median ${cpu[Math.floor(ROUNDS / 2)]?.toFixed(0)} µs`,
)
// BullMQ's closed connections may still try to reconnect: leave at once.
process.exit(0)
