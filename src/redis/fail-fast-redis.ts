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

/** What the stall watch needs of a connection, a single node's or a cluster's. */
interface WatchedClient {
  readonly status: string
  on(event: 'ready', listener: () => void): unknown
}

/**
 * Whether Redis stalls: from a command's timeout until `probe` (PINGs that bypass the stall) resolves;
 * `send` fails a command at once while it does. A connection that closed stops being probed.
 */
function createStallWatch(client: WatchedClient, probe: () => Promise<unknown>) {
  let stalled = false
  let watchingReconnections = false
  const probeUntilAnswered = async () => {
    while (stalled && client.status !== 'end') {
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
    /** Sends `command` through `send`, or fails it at once while Redis stalls. */
    send(command: Command, send: () => unknown): unknown {
      // The handshake of a new connection goes through: it is what tells whether Redis answers again.
      if (stalled && client.status === 'ready') {
        command.reject(new RedisStalledError())
        return command.promise
      }
      const sent = send()
      if (!watchingReconnections) {
        watchingReconnections = true
        // A new connection passed its ready check: Redis answers.
        client.on('ready', () => {
          stalled = false
        })
      }
      command.promise.catch((error: unknown) => {
        if (!timedOut(error) || stalled) return
        stalled = true
        void probeUntilAnswered()
      })
      return sent
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
  readonly #stall = createStallWatch(this, () => {
    const ping = new Command('ping', [], { replyEncoding: 'utf8' })
    super.sendCommand(ping)
    return ping.promise
  })

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    return this.#stall.send(command, () => super.sendCommand(command, stream))
  }

  /** True from a command's timeout until Redis answers again. */
  get stalled(): boolean {
    return this.#stall.stalled
  }
}

/**
 * FailFastRedis for a Redis Cluster, node by node: the `commandTimeout` is each node's
 * (`redisOptions`), and after a timeout the commands for that node fail at once until it answers a
 * PING; the other masters' slots are served on.
 */
export class FailFastCluster extends Cluster {
  readonly #stalls = new Map<Redis, ReturnType<typeof createStallWatch>>()

  constructor(...args: ConstructorParameters<typeof Cluster>) {
    super(...args)
    this.on('+node', (node: Redis) => this.#watch(node))
    this.on('-node', (node: Redis) => this.#stalls.delete(node))
  }

  /** Every command the cluster sends a node goes through the node's own `sendCommand`. */
  #watch(node: Redis) {
    const send = node.sendCommand.bind(node)
    const stall = createStallWatch(node, () => {
      const ping = new Command('ping', [], { replyEncoding: 'utf8' })
      send(ping)
      return ping.promise
    })
    node.sendCommand = (command, stream) => stall.send(command, () => send(command, stream)) as never
    this.#stalls.set(node, stall)
  }

  /** True while some node stalls. */
  get stalled(): boolean {
    return [...this.#stalls.values()].some((stall) => stall.stalled)
  }
}
