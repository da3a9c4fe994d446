import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startLocalCluster } from '../../src/redis/local-cluster.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisClusterSeeds: string
  }
}

/**
 * One private Redis Cluster per test run (three masters, a replica each, on free ports); every test
 * works under a hash-tag prefix of its own.
 */
export async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'colis-test-cluster-'))
  const cluster = await startLocalCluster({ dir, masters: 3, replicasPerMaster: 1 })
  project.provide('redisClusterSeeds', cluster.seeds)
  return async () => {
    await cluster.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
