import { createLoopFailures } from '../src/log-throttle.js'
import type { Logger } from '../src/logger.js'
import type { ShardLeaseStore } from '../src/store/shard-lease-store.js'

/** The shards this worker process works: its dispatchers, its alert sweep and its outbox relay read them. */
export interface ShardHolding {
  /** The shards held now, in order (read on each pass: they change as processes come and go). */
  held(): readonly number[]
  /**
   * False with one shard: it cannot be split, so every process works it, as colis always did on one
   * Redis (claims are atomic and the outbox has a consumer group, so that is safe).
   */
  readonly leased: boolean
  /** Gives the shards back, so that the other processes take them on their next round. */
  stop(): Promise<void>
}

export interface ShardLeaseOptions {
  /** Opened only with several shards: one shard costs no connection and no command. */
  openLeases(): ShardLeaseStore
  shards: number
  /** This process, unique among the live ones. */
  owner: string
  /** SHARD_LEASE: a silent process's shards go to the others after this; renewed every third of it. */
  leaseMs: number
  logger: Logger
}

const EVERY_SHARD_ALWAYS: readonly number[] = [0]

/**
 * Keeps this process holding its fair share of the shards, renewing every third of a lease. The first
 * round is over when this resolves, so a lone process starts with every shard.
 *
 * A lease spreads the work, it does not lock it: during a hand-over (a peer joins, a lease runs out
 * while its holder is only slow) two processes may work one shard for a moment, and that is harmless,
 * because due trackings and alert checks are claimed atomically, and the outbox is read through a
 * consumer group whose entries make deliveries with ids of their own (a replay creates nothing twice).
 */
export async function holdShards(options: ShardLeaseOptions): Promise<ShardHolding> {
  if (options.shards <= 1) return { held: () => EVERY_SHARD_ALWAYS, leased: false, stop: async () => {} }
  const { owner, leaseMs, logger } = options
  const leases = options.openLeases()
  const renewMs = Math.max(1, Math.floor(leaseMs / 3))
  const failures = createLoopFailures(logger, 'shard lease renewal', { baseMs: renewMs, maxMs: renewMs })
  let held: readonly number[] = []
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined

  async function round() {
    let waitMs = renewMs
    try {
      const next = await leases.balance(owner, leaseMs)
      if (next.held.join() !== held.join())
        logger.info({ shards: next.held.length, of: options.shards, processes: next.live }, 'shards held')
      held = next.held
      failures.succeeded()
    } catch (error) {
      // The shards held stay worked: if their leases run out meanwhile, a peer working them too is
      // harmless, while dropping them would stop all work whenever the leases' slot is unreachable.
      waitMs = failures.failed(error)
    }
    if (!stopped) timer = setTimeout(() => (running = round()), waitMs)
  }

  running = round()
  await running
  return {
    held: () => held,
    leased: true,
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
      held = []
      try {
        await leases.leave(owner)
      } catch (error) {
        logger.warn(
          { err: error },
          'shard leases not given back: the other processes take them when they run out',
        )
      }
    },
  }
}
