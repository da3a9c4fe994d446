import { Cluster, Command, Redis } from 'ioredis'

/** Raised instead of sending a command while Redis is known not to answer. */
export class RedisStalledError extends Error {
  override readonly name = 'RedisStalledError'
  constructor() {
    super('Redis is not answering (a command timed out); waiting for it to answer a PING')
  }
}

/** Between two PINGs that could not even be sent (the connection is down). */
const PROBE_RETRY_MS = 250
const TIMED_OUT = 'Command timed out'

const timedOut = (error: unknown) => error instanceof Error && error.message === TIMED_OUT

/**
 * Whether Redis stalls: from a command's timeout until `probe` (PINGs that bypass the stall) resolves.
 * `closed` stops the probing of a connection that was closed.
 */
function createStallWatch(probe: () => Promise<unknown>, closed: () => boolean) {
  let stalled = false
  const probeUntilAnswered = async () => {
    while (stalled && !closed()) {
      try {
        await probe()
        stalled = false
      } catch (error) {
        // A PING that timed out waited long enough; one that could not be sent waits a little.
        if (!timedOut(error)) await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_MS).unref())
      }
    }
  }
  return {
    get stalled() {
      return stalled
    },
    /** A new connection passed its ready check: Redis answers. */
    clear() {
      stalled = false
    },
    watch(command: Command) {
      command.promise.catch((error: unknown) => {
        if (!timedOut(error) || stalled) return
        stalled = true
        void probeUntilAnswered()
      })
    },
  }
}

/**
 * A connection for callers that must answer in time, with a `commandTimeout`. Once a command times
 * out (Redis accepts the connection but does not answer: paused, overloaded, a long script), every
 * command fails at once with a `RedisStalledError` until Redis answers a PING again. A request then
 * meets at most one timeout however many commands it makes one after another (a cached key's rate
 * limit, then the route's read), and a stall does not pile up requests that each wait it out.
 */
export class FailFastRedis extends Redis {
  readonly #stall = createStallWatch(
    () => {
      const ping = new Command('ping', [], { replyEncoding: 'utf8' })
      super.sendCommand(ping)
      return ping.promise
    },
    () => this.status === 'end',
  )
  #watchingReconnections = false

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // The handshake of a new connection goes through: it is what tells whether Redis answers again.
    if (this.#stall.stalled && this.status === 'ready') {
      command.reject(new RedisStalledError())
      return command.promise
    }
    const sent = super.sendCommand(command, stream)
    this.#watchReconnections()
    this.#stall.watch(command)
    return sent
  }

  /** True from a command's timeout until Redis answers again. */
  get stalled(): boolean {
    return this.#stall.stalled
  }

  #watchReconnections(): void {
    if (this.#watchingReconnections) return
    this.#watchingReconnections = true
    this.on('ready', () => this.#stall.clear())
  }
}

/**
 * FailFastRedis for a Redis Cluster: the `commandTimeout` is each node's (`redisOptions`); after a
 * timeout every command fails at once until every master answers a PING.
 */
export class FailFastCluster extends Cluster {
  readonly #stall = createStallWatch(
    () => Promise.all(this.nodes('master').map((node) => node.ping())),
    () => this.status === 'end',
  )
  #watchingReconnections = false

  override sendCommand(
    command: Command,
    stream?: Parameters<Cluster['sendCommand']>[1],
    node?: Parameters<Cluster['sendCommand']>[2],
  ): unknown {
    if (this.#stall.stalled && this.status === 'ready') {
      command.reject(new RedisStalledError())
      return command.promise
    }
    const sent = super.sendCommand(command, stream, node)
    this.#watchReconnections()
    this.#stall.watch(command)
    return sent
  }

  get stalled(): boolean {
    return this.#stall.stalled
  }

  #watchReconnections(): void {
    if (this.#watchingReconnections) return
    this.#watchingReconnections = true
    this.on('ready', () => this.#stall.clear())
  }
}
