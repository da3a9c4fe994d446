import calculateSlot from 'cluster-key-slot'

const SLOTS = 16_384

const tagsMade = new Map<string, readonly string[]>()

/**
 * The hash tag of each of `shards` shards under `prefix`: `<prefix>:<shard>` followed by the first
 * `:<n>` (if any is needed) that puts it in the shard's own equal stretch of Redis Cluster's slots.
 * Masters hold even ranges of slots (as `redis-cli --cluster create` and `rebalance` leave them), so
 * evenly spaced tags fall evenly over them; tags left where their hash puts them do not (64 plain
 * tags fall 24/19/21 over three masters).
 */
export function shardTags(prefix: string, shards: number): readonly string[] {
  const made = tagsMade.get(`${shards}\n${prefix}`)
  if (made) return made
  const tags = Array.from({ length: shards }, (_, shard) => tagInStretch(`${prefix}:${shard}`, shard, shards))
  tagsMade.set(`${shards}\n${prefix}`, tags)
  return tags
}

function tagInStretch(plain: string, shard: number, shards: number): string {
  const first = Math.floor((shard * SLOTS) / shards)
  const end = Math.floor(((shard + 1) * SLOTS) / shards)
  const inStretch = (tag: string) => {
    const slot = calculateSlot(tag)
    return slot >= first && slot < end
  }
  if (inStretch(plain)) return plain
  for (let attempt = 0; ; attempt++) {
    const tag = `${plain}:${attempt.toString(36)}`
    if (inStretch(tag)) return tag
  }
}
