import { isCluster, isRedirection, type RedisClient } from '../../redis/redis-client.js'

/**
 * REDIS_WAIT_REPLICAS: a write colis acknowledges (a registration, a save that carries
 * notifications) is followed, on the connection and node that took it, by Redis `WAIT`, so a
 * failover that promotes a replica does not lose it. Replication stays asynchronous for the rest.
 */
export interface ReplicaWait {
  replicas: number
  timeoutMs: number
  /**
   * Connections of their own for these writes. WAIT blocks its connection until the replicas answer or
   * the timeout: on a shared connection every command behind it would wait too. Without them, the
   * store's own connection (a command run alone, which waits for nothing else).
   */
  connections?: readonly RedisClient[]
}

/** Fewer replicas confirmed the write than asked within the timeout: it may not survive a failover. */
export class ReplicaWaitError extends Error {
  override readonly name = 'ReplicaWaitError'
}

/** Throws unless `answer` (WAIT's reply: the replicas that confirmed) reaches what was asked. */
export function checkReplicas(answer: unknown, wait: ReplicaWait): void {
  const confirmed = Number(answer)
  if (confirmed < wait.replicas)
    throw new ReplicaWaitError(
      `${confirmed} of ${wait.replicas} replica(s) confirmed the write within ${wait.timeoutMs} ms`,
    )
}

type Pipeline = ReturnType<RedisClient['pipeline']>
type Reply = [error: Error | null, result: unknown]

/** Writes that return once replicas confirmed them. */
export interface AcknowledgedWrites {
  /**
   * Sends `add`'s commands for `items` (keys of one slot) then WAIT, as one pipeline on one connection:
   * the replies of the items, in order. Throws ReplicaWaitError when a write was not confirmed.
   */
  exec<T>(items: readonly T[], add: (pipeline: Pipeline, item: T) => void): Promise<Reply[]>
}

/**
 * A cluster client sends a redirected pipeline (isRedirection) again by itself only if all of it failed
 * alike or only read: a WAIT after the write answers, so the write is sent again here.
 */
const RESENDS = 7
const FIRST_RESEND_DELAY_MS = 20

export function createAcknowledgedWrites(fallback: RedisClient, wait: ReplicaWait): AcknowledgedWrites {
  const connections = wait.connections?.length ? wait.connections : [fallback]
  const inFlight = connections.map(() => 0)
  /** The connection with the fewest writes waiting on it: each WAIT holds up those behind it. */
  const leastBusy = () => inFlight.indexOf(Math.min(...inFlight))

  async function sendOnce<T>(
    client: RedisClient,
    items: readonly T[],
    add: (pipeline: Pipeline, item: T) => void,
  ): Promise<Reply[]> {
    const pipeline = client.pipeline()
    for (const item of items) add(pipeline, item)
    pipeline.call('WAIT', String(wait.replicas), String(wait.timeoutMs))
    const answers = (await pipeline.exec()) ?? []
    const replies = items.map((_, at): Reply => answers[at] ?? [null, null])
    if (replies.some(([error]) => !isRedirection(error))) {
      const [waitError, confirmed] = answers.at(-1) ?? [null, null]
      if (waitError) throw waitError
      checkReplicas(confirmed, wait)
    }
    return replies
  }

  return {
    async exec(items, add) {
      const at = leastBusy()
      const client = connections[at] as RedisClient
      inFlight[at] = (inFlight[at] ?? 0) + 1
      try {
        const replies = new Array<Reply>(items.length)
        let pending = items.map((_, index) => index)
        for (let resend = 0; ; resend++) {
          const answers = await sendOnce(
            client,
            pending.map((index) => items[index] as (typeof items)[number]),
            add,
          )
          const again = pending.filter((index, k) => {
            const reply = answers[k] ?? [null, null]
            replies[index] = reply
            return resend < RESENDS && isRedirection(reply[0])
          })
          if (again.length === 0) return replies
          await slotsSettled(client, FIRST_RESEND_DELAY_MS * 2 ** resend)
          pending = again
        }
      } finally {
        inFlight[at] = (inFlight[at] ?? 1) - 1
      }
    },
  }
}

/** Gives a moving slot `delayMs` to settle, and a cluster client its slot map read again. */
async function slotsSettled(client: RedisClient, delayMs: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, delayMs))
  if (isCluster(client)) await new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()))
}
