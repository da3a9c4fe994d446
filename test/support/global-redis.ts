import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

interface SharedRedis {
  started: Promise<{ redis: LocalRedis; dir: string }>
  users: number
}

// Several projects list this setup, and each may load its own copy of this module: the server is
// kept on the process so that a run has exactly one.
const SHARED = Symbol.for('colis.test.shared-redis')
const holder = globalThis as { [SHARED]?: SharedRedis }

async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'colis-test-redis-'))
  return { redis: await startLocalRedis({ dir, port: 0, persistent: false }), dir }
}

/** One private redis-server per test run, on a free port; every test file works under its own prefix. */
export async function setup(project: TestProject) {
  holder[SHARED] ??= { started: startRedis(), users: 0 }
  const shared = holder[SHARED]
  shared.users++
  const { redis } = await shared.started
  project.provide('redisUrl', redis.url)
}

export async function teardown() {
  const shared = holder[SHARED]
  if (!shared) return
  shared.users--
  if (shared.users > 0) return
  delete holder[SHARED]
  const { redis, dir } = await shared.started
  await redis.stop()
  rmSync(dir, { recursive: true, force: true })
}
