import type { RedisClient } from '../redis/redis-client.js'
import { defineScripts, type ScriptedRedis } from './redis/lua-scripts.js'
import { createRedisKeys } from './redis/redis-keys.js'

/** Sightings of one code a carrier's table lacks, as a process gathered them since its last write. */
export interface UnknownCodeSighting {
  carrier: string
  code: string
  count: number
  firstSeenMs: number
  lastSeenMs: number
  /** Distinct wordings seen with it, first seen first. */
  wordings: string[]
}

/** What an operator sees of a code colis does not know. */
export interface UnknownCode {
  code: string
  /** The first wordings seen with it (at most `maxWordings`). */
  wordings: string[]
  /** Events seen with it, over every poll (a parcel polled twice counts twice). */
  count: number
  firstSeen: string
  lastSeen: string
}

export interface UnknownCodeLimits {
  /** Codes kept per carrier; a new one beyond is dropped until others are forgotten. */
  maxCodes: number
  maxWordings: number
  /** A code not seen for this long is forgotten (a release may map it by then). */
  retentionMs: number
}

export const UNKNOWN_CODE_LIMITS: UnknownCodeLimits = {
  maxCodes: 200,
  maxWordings: 3,
  retentionMs: 30 * 24 * 3_600_000,
}

/** Longer codes and wordings are cut: they come from carriers, and end up in keys and answers. */
export const MAX_CODE_LENGTH = 64
export const MAX_WORDING_LENGTH = 200

/** The codes each carrier's table lacks, as polls meet them, for `GET /v1/carriers/{id}/unknown-codes`. */
export interface UnknownCodeStore {
  record(sightings: readonly UnknownCodeSighting[], nowMs?: number): Promise<void>
  /** The carrier's codes seen within the retention period, last seen first. */
  list(carrier: string, nowMs?: number): Promise<UnknownCode[]>
}

/** A sighting as stored: code and wordings cut to their limits, wordings distinct and few. */
export function boundSighting(sighting: UnknownCodeSighting, limits: UnknownCodeLimits): UnknownCodeSighting {
  const wordings = [...new Set(sighting.wordings.map((wording) => wording.slice(0, MAX_WORDING_LENGTH)))]
  return {
    ...sighting,
    code: sighting.code.slice(0, MAX_CODE_LENGTH),
    wordings: wordings.slice(0, limits.maxWordings),
  }
}

/**
 * Per carrier: its codes in a sorted set by last sighting (which orders the list and finds the stale
 * ones), first sightings in another (kept at their least), counts in a hash, and each code's wordings
 * in a sorted set by first sighting, cut to the first few. One script per code keeps them together.
 */
export function createUnknownCodeStore(
  redis: RedisClient,
  prefix: string,
  limits: UnknownCodeLimits = UNKNOWN_CODE_LIMITS,
  shards = 1,
): UnknownCodeStore {
  const keys = createRedisKeys(prefix, shards)
  const scripted = defineScripts(redis)
  return {
    async record(sightings, nowMs = Date.now()) {
      const pipeline = scripted.pipeline() as unknown as ScriptedRedis
      for (const sighting of sightings) {
        const { carrier, code, count, firstSeenMs, lastSeenMs, wordings } = boundSighting(sighting, limits)
        pipeline.recordUnknownCode(
          keys.unknownCodes(carrier),
          keys.unknownCodesFirstSeen(carrier),
          keys.unknownCodeCounts(carrier),
          keys.unknownCodeWordings(carrier, code),
          code,
          String(count),
          String(firstSeenMs),
          String(lastSeenMs),
          String(limits.maxCodes),
          String(limits.maxWordings),
          String(nowMs - limits.retentionMs),
          String(limits.retentionMs),
          ...wordings,
        )
      }
      const replies = (await (pipeline as unknown as ReturnType<RedisClient['pipeline']>).exec()) ?? []
      for (const [error] of replies) if (error) throw error
    },

    async list(carrier, nowMs = Date.now()) {
      const seen = await redis.zrevrangebyscore(
        keys.unknownCodes(carrier),
        '+inf',
        `(${nowMs - limits.retentionMs}`,
        'WITHSCORES',
      )
      const codes: Array<{ code: string; lastSeenMs: number }> = []
      for (let index = 0; index < seen.length; index += 2)
        codes.push({ code: seen[index] ?? '', lastSeenMs: Number(seen[index + 1]) })
      if (codes.length === 0) return []
      const names = codes.map(({ code }) => code)
      const pipeline = redis.pipeline()
      pipeline.zmscore(keys.unknownCodesFirstSeen(carrier), ...names)
      pipeline.hmget(keys.unknownCodeCounts(carrier), ...names)
      for (const code of names) pipeline.zrange(keys.unknownCodeWordings(carrier, code), 0, -1)
      const answers = (await pipeline.exec()) ?? []
      const [firsts, counts, ...wordings] = answers.map(([error, value]) => {
        if (error) throw error
        return value as Array<string | null>
      })
      return codes.map(({ code, lastSeenMs }, index) => ({
        code,
        wordings: (wordings[index] ?? []).filter((wording): wording is string => wording !== null),
        count: Number(counts?.[index] ?? 0),
        firstSeen: new Date(Number(firsts?.[index] ?? lastSeenMs)).toISOString(),
        lastSeen: new Date(lastSeenMs).toISOString(),
      }))
    },
  }
}
