import { Cluster, type Redis } from 'ioredis'
import type { ClusterSeeds } from './cluster-seeds.js'

/** A connection to one Redis (REDIS_URL) or to a Redis Cluster (REDIS_CLUSTER_NODES). */
export type RedisClient = Redis | Cluster

/** Where colis's Redis is: a `redis://` or `rediss://` URL, or the seed nodes of a Redis Cluster. */
export type RedisAddress = string | ClusterSeeds

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster
}

/**
 * The servers behind `client` that hold data: itself, or each master of a cluster (per-server
 * settings and figures, such as `INFO` and `CONFIG GET`, are read on each).
 */
export function dataServers(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client]
}

/** Resolves once every data server answers a PING (readiness: on a cluster, a master away is a slot away). */
export async function pingEveryServer(client: Pick<RedisClient, 'ping'>): Promise<void> {
  if (client instanceof Cluster) await Promise.all(dataServers(client).map((server) => server.ping()))
  else await client.ping()
}

/**
 * A cluster's answer that a command's slot moved (MOVED), is moving (ASK) or is split by a move
 * (TRYAGAIN): the command did not run, and may be sent again.
 */
export function isRedirection(error: Error | null): boolean {
  return error !== null && /^(MOVED|ASK|TRYAGAIN) /.test(error.message)
}
