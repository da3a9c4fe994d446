/**
 * REDIS_WAIT_REPLICAS: a write colis acknowledges (a registration, a save that carries
 * notifications) is followed, on the connection and node that took it, by Redis `WAIT`, so a
 * failover that promotes a replica does not lose it. Replication stays asynchronous for the rest.
 */
export interface ReplicaWait {
  replicas: number
  timeoutMs: number
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
