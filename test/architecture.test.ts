import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, posix, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * The layering of STYLE.md, read from the import lines of every .ts file:
 * `workers → adapters → src/domain`, `src/api → src/domain`, BullMQ only in workers and the entry
 * points, `process.env` only in src/config.ts.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const PRODUCTION_DIRS = ['src', 'adapters', 'workers']

interface Import {
  /** As written: `./contract.js`, `zod`, `node:crypto`. */
  specifier: string
  /** Repository path of a relative import (`src/domain/timeline.ts`); undefined for packages. */
  target?: string
  /** `import type`, `export type`, or every named binding marked `type`. */
  typeOnly: boolean
  line: number
  text: string
}

interface SourceFile {
  path: string
  code: string
  imports: Import[]
}

function listTs(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listTs(path)
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : []
  })
}

/** Comments out, strings and line breaks kept, so that offsets still give line numbers. */
function stripComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '))
    .replace(/(^|[^:'"`\\])\/\/[^\n]*/g, (_match, before: string) => before)
}

function isTypeOnly(clause: string): boolean {
  const trimmed = clause.trim()
  if (/^type\s/.test(trimmed)) return true
  const named = trimmed.match(/^\{([\s\S]*)\}$/)
  if (!named?.[1]) return false
  const bindings = named[1]
    .split(',')
    .map((binding) => binding.trim())
    .filter(Boolean)
  return bindings.length > 0 && bindings.every((binding) => /^type\s/.test(binding))
}

function readImports(path: string, code: string): Import[] {
  const found: Import[] = []
  const lineOf = (index: number) => code.slice(0, index).split('\n').length
  const add = (specifier: string, typeOnly: boolean, index: number, text: string) => {
    const target = specifier.startsWith('.')
      ? relative(ROOT, resolve(ROOT, dirname(path), specifier))
          .split(sep)
          .join('/')
          .replace(/\.js$/, '.ts')
      : undefined
    found.push({ specifier, target, typeOnly, line: lineOf(index), text: text.replace(/\s+/g, ' ').trim() })
  }
  const staticForm = /\b(import|export)\s+((?:type\s+)?[\w*{}\s,$]*?)\s*from\s*['"]([^'"]+)['"]/g
  for (const match of code.matchAll(staticForm)) {
    add(match[3] ?? '', isTypeOnly(match[2] ?? ''), match.index, match[0])
  }
  for (const match of code.matchAll(/\bimport\s*['"]([^'"]+)['"]/g)) {
    add(match[1] ?? '', false, match.index, match[0])
  }
  for (const match of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    add(match[1] ?? '', false, match.index, match[0])
  }
  return found
}

function load(path: string): SourceFile {
  const code = stripComments(readFileSync(join(ROOT, path), 'utf8'))
  return { path, code, imports: readImports(path, code) }
}

const FILES = PRODUCTION_DIRS.flatMap(listTs).map(load)
const BUILTINS = new Set(builtinModules)

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier)
const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '')
const under = (dir: string) => (path: string | undefined) => path?.startsWith(`${dir}/`) === true

function describeImport(file: SourceFile, entry: Import): string {
  return `${file.path}:${entry.line}  ${entry.text}`
}

/** Every import of `files` that `allowed` refuses, printed as `file:line  import …`. */
function offenders(files: SourceFile[], allowed: (entry: Import, file: SourceFile) => boolean): string[] {
  return files.flatMap((file) =>
    file.imports.filter((entry) => !allowed(entry, file)).map((entry) => describeImport(file, entry)),
  )
}

describe('the import reader', () => {
  it('sees every production file and its imports', () => {
    const paths = FILES.map((file) => file.path)
    expect(paths).toEqual(
      expect.arrayContaining(['src/config.ts', 'src/api/app.ts', 'adapters/contract.ts', 'workers/main.ts']),
    )
    expect(paths.some(under('src/domain'))).toBe(true)
    const app = FILES.find((file) => file.path === 'src/api/app.ts')
    expect(app?.imports.map((entry) => entry.specifier)).toEqual(
      expect.arrayContaining(['hono/request-id', './problem.js']),
    )
  })

  it('reads multi-line, type-only, side-effect and dynamic imports', () => {
    const code = stripComments(
      [
        "import {\n  a,\n  type B,\n} from '../x.js'",
        "import type { C } from 'bullmq'",
        "import { type D, type E } from '../src/config.js'",
        "export { f } from './f.js'",
        "export type { G } from './g.js'",
        "import 'side-effect'",
        "const net = await import('node:net')",
        "// import { nope } from 'commented-out'",
        "/* import { nope } from 'block-commented' */",
        "const url = 'https://example.test' // trailing comment",
      ].join('\n'),
    )
    const imports = readImports('adapters/sample.ts', code)
    expect(
      imports.map(({ specifier, target, typeOnly, line }) => ({ specifier, target, typeOnly, line })),
    ).toEqual([
      { specifier: '../x.js', target: 'x.ts', typeOnly: false, line: 1 },
      { specifier: 'bullmq', target: undefined, typeOnly: true, line: 5 },
      { specifier: '../src/config.js', target: 'src/config.ts', typeOnly: true, line: 6 },
      { specifier: './f.js', target: 'adapters/f.ts', typeOnly: false, line: 7 },
      { specifier: './g.js', target: 'adapters/g.ts', typeOnly: true, line: 8 },
      { specifier: 'side-effect', target: undefined, typeOnly: false, line: 9 },
      { specifier: 'node:net', target: undefined, typeOnly: false, line: 10 },
    ])
  })
})

const ADAPTER_PACKAGES = new Set(['zod', 'cheerio', 'undici'])
const ENTRY_POINTS = new Set(['src/server.ts', 'src/cli.ts'])

interface LayerRule {
  name: string
  /** The files the rule is about. */
  appliesTo(path: string): boolean
  allows(entry: Import): boolean
}

const RULES: LayerRule[] = [
  {
    name: 'src/domain imports nothing outside src/domain, apart from node: builtins',
    appliesTo: under('src/domain'),
    allows: (entry) => under('src/domain')(entry.target) || isBuiltin(entry.specifier),
  },
  {
    name: 'adapters/ imports only adapters/, src/domain, src/version.ts, types of the logger and config, node: builtins, zod, cheerio and undici',
    appliesTo: under('adapters'),
    allows: (entry) => {
      if (entry.target === undefined)
        return ADAPTER_PACKAGES.has(packageOf(entry.specifier)) || isBuiltin(entry.specifier)
      if (under('adapters')(entry.target) || under('src/domain')(entry.target)) return true
      if (entry.target === 'src/version.ts') return true
      return (entry.target === 'src/logger.ts' || entry.target === 'src/config.ts') && entry.typeOnly
    },
  },
  {
    name: 'src/api imports nothing from adapters/ or workers/, and not bullmq',
    appliesTo: under('src/api'),
    allows: (entry) =>
      !under('adapters')(entry.target) &&
      !under('workers')(entry.target) &&
      packageOf(entry.specifier) !== 'bullmq',
  },
  {
    name: 'only workers/, src/server.ts and src/cli.ts import bullmq',
    appliesTo: (path) => !under('workers')(path) && !ENTRY_POINTS.has(path),
    allows: (entry) => packageOf(entry.specifier) !== 'bullmq',
  },
]

const ENV_READ =
  /\bprocess\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])|\{[^}]*\benv\b[^}]*\}\s*=\s*process\b|\benv\b[^;]*from\s*['"](node:)?process['"]/

/** Files other than src/config.ts that read the environment, as `file:line  code`. */
function envReaders(files: SourceFile[]): string[] {
  return files
    .filter((file) => file.path !== 'src/config.ts' && ENV_READ.test(file.code))
    .map((file) => {
      const lines = file.code.split('\n')
      const index = lines.findIndex((line) => /\bprocess\b|\benv\b/.test(line))
      return `${file.path}:${index + 1}  ${lines[index]?.trim() ?? ''}`
    })
}

describe('layering (STYLE.md)', () => {
  it.each(RULES.map((rule) => [rule.name, rule] as const))('%s', (_name, rule) => {
    const files = FILES.filter((file) => rule.appliesTo(file.path))
    expect(files.length).toBeGreaterThan(0)
    expect(offenders(files, rule.allows)).toEqual([])
  })

  it('only src/config.ts reads process.env (and src/redis/local-redis.ts, for PATH)', () => {
    expect(envReaders(FILES).filter((line) => !line.startsWith('src/redis/local-redis.ts:'))).toEqual([])
    const localRedis = FILES.find((file) => file.path === 'src/redis/local-redis.ts')
    const names = [...(localRedis?.code ?? '').matchAll(/process\s*\.\s*env\s*\.\s*(\w+)/g)].map(
      (match) => match[1],
    )
    expect(
      names.filter((name) => name !== 'PATH'),
      'src/redis/local-redis.ts reads more than PATH',
    ).toEqual([])
    expect((localRedis?.code ?? '').replace(/process\s*\.\s*env\s*\.\s*PATH\b/g, '')).not.toMatch(ENV_READ)
  })
})

describe('the rules catch what they forbid', () => {
  const fake = (path: string, source: string): SourceFile => {
    const code = stripComments(source)
    return { path, code, imports: readImports(path, code) }
  }
  const broken = (file: SourceFile) =>
    RULES.filter((rule) => rule.appliesTo(file.path)).flatMap((rule) => offenders([file], rule.allows))

  it.each([
    ['src/domain/x.ts', "import { z } from 'zod'"],
    ['src/domain/x.ts', "import type { Redis } from 'ioredis'"],
    ['src/domain/x.ts', "import type { Logger } from '../logger.js'"],
    ['adapters/laposte/x.ts', "import { loadConfig } from '../../src/config.js'"],
    ['adapters/laposte/x.ts', "import { createLogger } from '../../src/logger.js'"],
    ['adapters/x.ts', "import type { TrackingStore } from '../src/store/tracking-store.js'"],
    ['adapters/x.ts', "import { Queue } from 'bullmq'"],
    ['adapters/x.ts', "import { Hono } from 'hono'"],
    ['adapters/x.ts', "import { applyPollResult } from '../workers/apply-poll.js'"],
    ['src/api/x.ts', "import { CARRIER_IDS } from '../../adapters/registry.js'"],
    ['src/api/routes/x.ts', "import type { PollJobData } from '../../../workers/poll-tracking.js'"],
    ['src/api/x.ts', "import type { Queue } from 'bullmq'"],
    ['src/store/x.ts', "import { Queue } from 'bullmq'"],
    ['src/api/x.ts', "const { Queue } = await import('bullmq')"],
  ])('%s: %s', (path, source) => {
    const found = broken(fake(path, source))
    expect(found.length).toBeGreaterThan(0)
    expect(found[0]).toMatch(new RegExp(`^${path}:1  `))
  })

  it.each([
    ['src/domain/x.ts', "import { createHash } from 'node:crypto'"],
    ['adapters/x.ts', "import type { Config } from '../src/config.js'"],
    ['adapters/x.ts', "import { type Logger } from '../src/logger.js'"],
    ['adapters/x.ts', "import { VERSION } from '../src/version.js'"],
    ['adapters/x/y.ts', "import { load } from 'cheerio'\nimport { Agent } from 'undici'"],
    [
      'src/api/x.ts',
      "import { z } from 'zod'\nimport type { TrackingStore } from '../store/tracking-store.js'",
    ],
    ['src/server.ts', "import { Queue } from 'bullmq'"],
    ['workers/x.ts', "import { Queue } from 'bullmq'"],
  ])('allows %s: %s', (path, source) => {
    expect(broken(fake(path, source))).toEqual([])
  })

  it.each([
    'const key = process.env.LAPOSTE_API_KEY',
    "const key = process['env'].X",
    'const { env } = process',
    "import { env } from 'node:process'",
  ])('sees an environment read: %s', (source) => {
    expect(envReaders([fake('adapters/x.ts', source)])).toHaveLength(1)
  })

  it('does not count a comment as an environment read', () => {
    expect(envReaders([fake('src/x.ts', '// never read process.env here\nexport const a = 1')])).toEqual([])
  })
})
