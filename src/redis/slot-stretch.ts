import calculateSlot from 'cluster-key-slot'

const SLOTS = 16_384

/**
 * `plain`, or `plain` followed by the first `:<n>` that puts it, as a hash tag, in the `index`-th of
 * `count` equal stretches of Redis Cluster's slots. Masters hold even ranges of slots (as
 * `redis-cli --cluster create` and `rebalance` leave them), so tags spaced out this way fall evenly
 * over them, where tags left to their hash do not.
 */
export function tagInStretch(plain: string, index: number, count: number): string {
  const first = Math.floor((index * SLOTS) / count)
  const end = Math.floor(((index + 1) * SLOTS) / count)
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
