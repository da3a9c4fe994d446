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
  'test/cli/analytics.test.ts',
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

/**
 * Files that drive colis' pages in chromium, each with a browser of its own: one browser shared by the
 * run measured no cheaper, its process then serving every file's pages.
 */
const BROWSER_TESTS = ['test/api/browser-pages.redis.test.ts', 'test/api/**/browser.test.ts']

/** Files that run on the run's private Redis Cluster (three masters, a replica each). */
const CLUSTER_TESTS = ['test/**/*.cluster.test.ts']

/**
 * Unit files that must not share a process with the others: nock, once another file has loaded it,
 * intercepts every request, and this file is about the real HTTP client.
 */
const OWN_PROCESS_UNIT_TESTS = ['test/adapters/carrier-http.test.ts']

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
      // Files of one worker share their modules (isolate: false): loading them again for every file
      // was most of the suite's CPU. Each file still gets its own fresh state through its own setup.
      project({
        name: 'unit',
        isolate: false,
        include: ['test/**/*.test.ts'],
        exclude: [
          ...E2E_TESTS,
          ...REDIS_TESTS,
          ...OWN_PROCESS_UNIT_TESTS,
          ...CLUSTER_TESTS,
          ...BROWSER_TESTS,
        ],
      }),
      project({
        name: 'unit-own-process',
        include: OWN_PROCESS_UNIT_TESTS,
      }),
      project({
        name: 'redis',
        isolate: false,
        include: REDIS_TESTS,
        exclude: [...E2E_TESTS, ...CLUSTER_TESTS, ...BROWSER_TESTS],
        globalSetup: ['test/support/global-redis.ts'],
      }),
      project({
        name: 'browser',
        isolate: false,
        // Each file's setup starts chromium and loads its pages while the rest of the suite runs, and a
        // page may wait as long as the pages' own action timeout (test/support/chromium.ts).
        hookTimeout: 180_000,
        testTimeout: 180_000,
        include: BROWSER_TESTS,
        globalSetup: ['test/support/global-redis.ts'],
      }),
      project({
        name: 'cluster',
        isolate: false,
        include: CLUSTER_TESTS,
        globalSetup: ['test/support/global-cluster.ts'],
      }),
      project({
        name: 'e2e',
        include: E2E_TESTS,
        globalSetup: ['test/support/global-build.ts', 'test/support/global-redis.ts'],
      }),
    ],
  },
})
