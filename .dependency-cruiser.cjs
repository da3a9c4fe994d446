/**
 * The layering of STYLE.md on resolved paths, type-only imports included. Biome's
 * noRestrictedImports (biome.json) guards the packages each folder may use and the environment;
 * this file guards which of our own files a folder may reach, and cycles.
 */

/** The composition root: it builds the system from every layer and nothing imports it. */
const TOP_LAYER = ['^src/main/', '^src/cli[.]ts$', '^src/cli/', '^bin/', '^bench/', '^scripts/', '^test/']

/** Shared by every layer: configuration, logging, metrics, outgoing webhooks, the local Redis. */
const SHARED = '^src/(?!domain/|store/|api/|main/|cli/)'

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment:
        'Only the composition root (and the tests and bench above it) may import the composition root.',
      severity: 'error',
      from: { pathNot: TOP_LAYER },
      to: { path: TOP_LAYER },
    },
    {
      name: 'domain-imports-only-domain',
      comment: 'src/domain is pure: it imports only src/domain (and node: builtins, see biome.json).',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-no-pkg'], pathNot: '^src/domain/' },
    },
    {
      name: 'adapters-import-only-domain',
      comment:
        'adapters/ import adapters/, src/domain and src/version.ts; the logger and the config only as types.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: {
        dependencyTypesNot: ['core', 'npm', 'npm-dev', 'npm-no-pkg'],
        pathNot: ['^adapters/', '^src/domain/', '^src/version[.]ts$', '^src/(logger|config)[.]ts$'],
      },
    },
    {
      name: 'adapters-take-logger-and-config-as-types',
      comment: 'An adapter receives its logger and config from the composition root, never builds them.',
      severity: 'error',
      from: { path: '^adapters/' },
      to: { path: '^src/(logger|config)[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'store-imports-no-caller',
      comment: 'src/store sits below the API and the workers: it imports neither, nor the adapters.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^(src/api/|workers/|adapters/)' },
    },
    {
      name: 'api-imports-no-worker-or-adapter',
      comment:
        'src/api reaches carriers and queues through the ports it is given, never workers/ or adapters/.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^(workers/|adapters/)' },
    },
    {
      name: 'workers-import-no-api',
      comment: 'workers/ and src/api are siblings: neither imports the other.',
      severity: 'error',
      from: { path: '^workers/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'shared-imports-no-layer',
      comment: 'Shared modules (config, logger, metrics, webhooks, redis) sit below every layer.',
      severity: 'error',
      from: { path: SHARED, pathNot: TOP_LAYER },
      to: { path: '^(src/store/|src/api/|workers/|adapters/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
}
