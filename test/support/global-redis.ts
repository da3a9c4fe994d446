import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'
import { type LocalRedis, startLocalRedis } from '../../src/redis/local-redis.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

let redis: LocalRedis | undefined
let dir: string | undefined

/** One private redis-server per test run, on a free port; every test file works under its own prefix. */
export async function setup(project: TestProject) {
  // CLI tests spawn the real bin, which runs the build: make sure it matches the sources.
  execFileSync(process.execPath, [fileURLToPath(new URL('../../bin/ensure-built.js', import.meta.url))], {
    stdio: 'inherit',
  })
  dir = mkdtempSync(join(tmpdir(), 'colis-test-redis-'))
  redis = await startLocalRedis({ dir, port: 0, persistent: false })
  project.provide('redisUrl', redis.url)
}

export async function teardown() {
  await redis?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
}
