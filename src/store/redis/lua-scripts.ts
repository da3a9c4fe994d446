import { readFileSync } from 'node:fs'
import type { RedisClient } from '../../redis/redis-client.js'

/**
 * The store's Lua scripts, one per file in `scripts/`: `name-N.lua` takes N keys, `name.lua` a count
 * of keys given as the command's first argument. Each is defined on a client as the command `name`.
 */
const SCRIPT_FILES = [
  'registerTracking-10',
  'saveTrackings',
  'loadTrackings',
  'readTracking-2',
  'deleteTracking',
  'claimDue-2',
  'requestRefresh-4',
  'addSubscription-2',
  'compareAndSet-1',
  'recordUnknownCode-4',
  'rotatePageToken-3',
  'replaceLogo-3',
  'removeLogo-2',
  'addEmailSubscription-2',
  'claimEmailDeliveries-1',
  'setFieldIfPresent-1',
  'readCellWeeks',
  'balanceShardLeases-2',
] as const

type Arg = string | Buffer | number

/** A client with the scripts defined; each answer is decoded by script-answers.ts. */
export type ScriptedRedis = RedisClient & StoreScripts

interface StoreScripts {
  registerTracking(...keysThenArgs: string[]): Promise<string>
  saveTrackings(keyCount: number, ...keysThenArgs: Arg[]): Promise<number[]>
  loadTrackingsBuffer(keyCount: number, ...keys: string[]): Promise<Array<Buffer | null>>
  readTrackingBuffer(...keysThenArgs: string[]): Promise<Array<Buffer | null> | null>
  deleteTracking(keyCount: number, ...keysThenArgs: Arg[]): Promise<number>
  claimDue(...keysThenArgs: string[]): Promise<string[]>
  requestRefresh(...keysThenArgs: string[]): Promise<number>
  addSubscription(...keysThenArgs: string[]): Promise<number>
  compareAndSet(...keysThenArgs: string[]): Promise<number>
  recordUnknownCode(...keysThenArgs: string[]): Promise<number>
  rotatePageToken(...keysThenArgs: string[]): Promise<number>
  replaceLogo(...keysThenArgs: Arg[]): Promise<number>
  removeLogo(...keysThenArgs: string[]): Promise<number>
  addEmailSubscription(...keysThenArgs: string[]): Promise<number>
  claimEmailDeliveries(...keysThenArgs: string[]): Promise<number[]>
  setFieldIfPresent(...keysThenArgs: string[]): Promise<number>
  readCellWeeks(
    keyCount: number,
    ...keys: string[]
  ): Promise<Array<[expiresAtMs: number, ...fieldsAndValues: string[]]>>
  balanceShardLeases(...keysThenArgs: string[]): Promise<number[]>
}

interface ScriptDefinition {
  name: string
  /** Undefined: the command's first argument is the count of keys. */
  numberOfKeys: number | undefined
  lua: string
}

function readScript(file: string): ScriptDefinition {
  const [name = file, count] = file.split('-')
  return {
    name,
    numberOfKeys: count === undefined ? undefined : Number(count),
    lua: readFileSync(new URL(`./scripts/${file}.lua`, import.meta.url), 'utf8'),
  }
}

/** Read once, when the store is first loaded: a missing file fails at startup, not mid-request. */
const SCRIPTS = SCRIPT_FILES.map(readScript)

/** Defines every script on `redis` (once per client; ioredis loads each by its SHA, EVAL on a miss). */
export function defineScripts(redis: RedisClient): ScriptedRedis {
  const scripted = redis as ScriptedRedis
  if (typeof scripted.saveTrackings === 'function') return scripted
  for (const { name, numberOfKeys, lua } of SCRIPTS) {
    redis.defineCommand(name, numberOfKeys === undefined ? { lua } : { numberOfKeys, lua })
  }
  return scripted
}

export const SCRIPT_FILE_NAMES: readonly string[] = SCRIPT_FILES
