import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

/**
 * Files that spawn the built `colis` bin: the only ones that need `dist`. Commands run in-process
 * (`runCli`) everywhere else; only what needs a process of its own (signals, a terminal, the bin) is here.
 */
const E2E_TESTS = [
  'test/cli/bin.test.ts',
  'test/cli/serve.test.ts',
  'test/integration/serve-roles.test.ts',
  'test/integration/worker-crash.test.ts',
  'test/integration/worker-shutdown.test.ts',
]

/** Files that talk to Redis (the run's private redis-server, or one of their own). */
const REDIS_TESTS = [
  'test/api/leased-limiter.test.ts',
  'test/api/rate-limit.test.ts',
  'test/api/*.redis.test.ts',
  'test/cli/import.test.ts',
  'test/cli/keys.test.ts',
  'test/integration/**/*.test.ts',
  'test/metrics.test.ts',
  'test/store/api-key-store.test.ts',
  'test/store/event-codec.test.ts',
  'test/store/redis/**/*.test.ts',
  'test/store/webhook-store.test.ts',
  'test/workers/sweep-alerts.test.ts',
]

const shared = {
  testTimeout: 60_000,
  hookTimeout: 30_000,
  pool: 'forks',
} as const

function project(test: TestProjectInlineConfiguration['test']): TestProjectInlineConfiguration {
  return { test: { ...shared, ...test } }
}

export default defineConfig({
  test: {
    // Most of the suite waits on Redis, child processes and timers rather than computing: more files
    // at once than cores keeps both cores busy.
    maxWorkers: 4,
    fileParallelism: true,
    projects: [
      project({
        name: 'unit',
        include: ['test/**/*.test.ts'],
        exclude: [...E2E_TESTS, ...REDIS_TESTS],
      }),
      project({
        name: 'redis',
        include: REDIS_TESTS,
        exclude: E2E_TESTS,
        globalSetup: ['test/support/global-redis.ts'],
      }),
      project({
        name: 'e2e',
        include: E2E_TESTS,
        globalSetup: ['test/support/global-build.ts', 'test/support/global-redis.ts'],
      }),
    ],
  },
})
