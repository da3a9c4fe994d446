import { tagInStretch } from '../../redis/slot-stretch.js'

const tagsMade = new Map<string, readonly string[]>()

/**
 * The hash tag of each of `shards` shards under `prefix`: `<prefix>:<shard>`, placed in the shard's
 * own equal stretch of the slots (see `tagInStretch`): 64 tags left to their hash fall 24/19/21 over
 * three masters.
 */
export function shardTags(prefix: string, shards: number): readonly string[] {
  const made = tagsMade.get(`${shards}\n${prefix}`)
  if (made) return made
  const tags = Array.from({ length: shards }, (_, shard) => tagInStretch(`${prefix}:${shard}`, shard, shards))
  tagsMade.set(`${shards}\n${prefix}`, tags)
  return tags
}
