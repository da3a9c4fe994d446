import type { RedisClient } from '../../redis/redis-client.js'
import type { AcknowledgedWrites } from './replica-wait.js'

type Pipeline = ReturnType<RedisClient['pipeline']>
export type Reply = [error: Error | null, result: unknown]

/** The positions of `items` in each shard, in order: what one script or pipeline per shard takes. */
export function indexesByShard<T>(items: readonly T[], shardOf: (item: T) => number): Map<number, number[]> {
  const groups = new Map<number, number[]>()
  items.forEach((item, index) => {
    const shard = shardOf(item)
    const group = groups.get(shard)
    if (group) group.push(index)
    else groups.set(shard, [index])
  })
  return groups
}

/**
 * Commands over keys of several shards, one pipeline per shard and the pipelines sent together: a
 * Redis Cluster pipelines only keys of one slot. The replies come back in the order of `items`.
 */
export async function execByShard<T>(
  redis: RedisClient,
  items: readonly T[],
  shardOf: (item: T) => number,
  add: (pipeline: Pipeline, item: T) => void,
  /** Sends each shard's pipeline instead, and returns once replicas confirmed it (REDIS_WAIT_REPLICAS). */
  acknowledged?: AcknowledgedWrites,
): Promise<Reply[]> {
  const groups = indexesByShard(items, shardOf)
  const replies = new Array<Reply>(items.length)
  await Promise.all(
    [...groups.values()].map(async (indexes) => {
      const group = indexes.map((index) => items[index] as T)
      let answers: Reply[]
      if (acknowledged) answers = await acknowledged.exec(group, add)
      else {
        const pipeline = redis.pipeline()
        for (const item of group) add(pipeline, item)
        answers = (await pipeline.exec()) ?? []
      }
      indexes.forEach((index, at) => {
        replies[index] = answers[at] ?? [null, null]
      })
    }),
  )
  return replies
}

/** A reply's value, its error thrown. */
export function replyValue(reply: Reply | undefined): unknown {
  if (reply?.[0]) throw reply[0]
  return reply?.[1]
}

/**
 * The newest `count` members below `max` of lexicographic indexes, one per shard, merged newest first.
 * Members sort the same in every shard (creation time, then id), so the last member a caller saw is a
 * position in all of them at once. Each shard is first asked for its share of the page and a little
 * more; only a shard whose share may hide members of the page is asked again for a whole page.
 */
export async function newestAcrossShards(
  redis: RedisClient,
  indexes: readonly string[],
  max: string,
  count: number,
): Promise<string[]> {
  const read = (index: string, from: string, limit: number) =>
    redis.zrevrangebylex(index, from, '-', 'LIMIT', 0, limit)
  if (indexes.length === 1) return read(indexes[0] as string, max, count)
  const share = Math.min(count, Math.ceil((2 * count) / indexes.length) + 1)
  const first = await Promise.all(indexes.map((index) => read(index, max, share)))
  const merged = first.flat().sort(newestFirst).slice(0, count)
  const cut = merged.length === count ? merged.at(-1) : undefined
  const again = indexes.flatMap((index, at) => {
    const members = first[at] ?? []
    const last = members.at(-1)
    // A full share ending above the page's last member may have more of the page behind it.
    return members.length === share && last !== undefined && (cut === undefined || last > cut)
      ? [{ index, last }]
      : []
  })
  if (again.length === 0) return merged
  const more = await Promise.all(again.map(({ index, last }) => read(index, `(${last}`, count)))
  return [...merged, ...more.flat()].sort(newestFirst).slice(0, count)
}

function newestFirst(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0
}
