/**
 * Logical shards (COLIS_SHARDS): a tracking, its indexes' entries, its poll schedule and its
 * notifications all belong to one shard, whose keys share one Redis Cluster hash tag. The shard is
 * derived from the carrier, the number and the merchant (the registration's identity, so registering
 * the same parcel twice meets the first registration in its slot), and every id that names a key of
 * the tracking (its id, its page token) is drawn so that it hashes to that same shard: the shard of
 * any of them is computed from the id alone, without a lookup.
 */

const FNV_OFFSET = 0x811c9dc5
const FNV_PRIME = 0x01000193

function fnvStep(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME) >>> 0
}

/** FNV-1a over the text's UTF-16 code units: ids and tokens are ASCII, numbers are normalized. */
function fnvOf(text: string, hash = FNV_OFFSET): number {
  let value = hash
  for (let index = 0; index < text.length; index++) value = fnvStep(value, text.charCodeAt(index))
  return value
}

/**
 * FNV-1a's low bits follow the text too closely (its lowest is the parity of the odd character codes,
 * which a check digit fixes): a finalizer mixes every bit into the ones the modulo keeps.
 */
function shardOfHash(hash: number, shards: number): number {
  let mixed = hash
  mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b) >>> 0
  mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35) >>> 0
  return ((mixed ^ (mixed >>> 16)) >>> 0) % shards
}

export function shardOfText(text: string, shards: number): number {
  return shards <= 1 ? 0 : shardOfHash(fnvOf(text), shards)
}

/** The shard a registration belongs to: the same merchant, carrier and number always meet there. */
export function shardOfRegistration(
  identity: { merchantId: string; carrier: string; trackingNumber: string },
  shards: number,
): number {
  return shardOfText(`${identity.merchantId}\n${identity.carrier}\n${identity.trackingNumber}`, shards)
}

/**
 * `draw` made to fall in `shard`: its last two characters are chosen from `alphabet` so that the
 * whole hashes there, the rest staying as drawn (random). A draw whose endings all miss is replaced.
 */
export function drawInShard(draw: () => string, alphabet: string, shard: number, shards: number): string {
  if (shards <= 1) return draw()
  for (;;) {
    const drawn = draw()
    const stem = drawn.slice(0, -2)
    const stemHash = fnvOf(stem)
    for (let first = 0; first < alphabet.length; first++) {
      const afterFirst = fnvStep(stemHash, alphabet.charCodeAt(first))
      for (let second = 0; second < alphabet.length; second++) {
        if (shardOfHash(fnvStep(afterFirst, alphabet.charCodeAt(second)), shards) === shard)
          return `${stem}${alphabet[first]}${alphabet[second]}`
      }
    }
  }
}

/** Every shard's number, in order. */
export function allShards(shards: number): number[] {
  return Array.from({ length: Math.max(1, shards) }, (_, shard) => shard)
}
