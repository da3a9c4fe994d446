import { Command, Redis } from 'ioredis'

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

/**
 * A connection for callers that must answer in time, with a `commandTimeout`. Once a command times
 * out (Redis accepts the connection but does not answer: paused, overloaded, a long script), every
 * command fails at once with a `RedisStalledError` until Redis answers a PING again. A request then
 * meets at most one timeout however many commands it makes one after another (a cached key's rate
 * limit, then the route's read), and a stall does not pile up requests that each wait it out.
 */
export class FailFastRedis extends Redis {
  #stalled = false
  #watchingReconnections = false

  override sendCommand(command: Command, stream?: Parameters<Redis['sendCommand']>[1]): unknown {
    // The handshake of a new connection goes through: it is what tells whether Redis answers again.
    if (this.#stalled && this.status === 'ready') {
      command.reject(new RedisStalledError())
      return command.promise
    }
    const sent = super.sendCommand(command, stream)
    command.promise.catch((error: unknown) => {
      if (error instanceof Error && error.message === TIMED_OUT) this.#stall()
    })
    return sent
  }

  /** True from a command's timeout until Redis answers again. */
  get stalled(): boolean {
    return this.#stalled
  }

  #stall(): void {
    if (this.#stalled) return
    this.#stalled = true
    if (!this.#watchingReconnections) {
      this.#watchingReconnections = true
      // A new connection passed its ready check: Redis answers.
      this.on('ready', () => {
        this.#stalled = false
      })
    }
    void this.#probeUntilAnswered()
  }

  async #probeUntilAnswered(): Promise<void> {
    while (this.#stalled && this.status !== 'end') {
      const ping = new Command('ping', [], { replyEncoding: 'utf8' })
      super.sendCommand(ping)
      try {
        await ping.promise
        this.#stalled = false
      } catch (error) {
        // A PING that timed out waited long enough; one that could not be sent waits a little.
        if (!(error instanceof Error && error.message === TIMED_OUT)) {
          await new Promise((resolve) => setTimeout(resolve, PROBE_RETRY_MS).unref())
        }
      }
    }
  }
}
