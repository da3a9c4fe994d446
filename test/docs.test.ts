import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CHRONOPOST_RESUMES_ONLY_CODES,
  CHRONOPOST_STATUS_BY_CODE,
} from '../adapters/chronopost/event-codes.js'
import { LAPOSTE_STATUS_BY_CODE } from '../adapters/laposte/event-codes.js'
import { MONDIALRELAY_STATUS_BY_CODE } from '../adapters/mondialrelay/stat-codes.js'
import { BUILTIN_CARRIER_IDS } from '../adapters/registry.js'
import { SANDBOX_STATUS_BY_CODE } from '../adapters/sandbox/event-codes.js'
import { fetchSpec, type Spec } from './api/openapi-spec.js'
import { createMemoryHarness, type MemoryHarness } from './support/memory-harness.js'
import { DOCUMENTED_TRACKING_FIELDS } from './support/tracking-fields.js'

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8')

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && keep(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)))
}

/** Files a run writes, which a clone does not hold yet. */
const GENERATED = ['bench/results.json']

/** The pages a reader follows: the README, the benchmarks and everything under docs/. */
const PAGES = ['README.md', 'BENCHMARKS.md', ...filesUnder('docs', (name) => name.endsWith('.md'))]

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const anchors = new Set<string>()
  for (const [, heading] of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(heading ?? '')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/** Markdown without its fenced code blocks, where `[x](y)` is not a link. */
const withoutCode = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, '')

/** `| \`CODE\` | … | \`status\` |` rows: a carrier's code table as a page shows it. */
function codeTableOf(markdown: string): Record<string, string> {
  const rows = markdown.matchAll(/^\| `([A-Z0-9_]+)` \|(?:.*\|)? `([a-z_]+)` \|$/gm)
  return Object.fromEntries([...rows].map(([, code, status]) => [code, status]))
}

describe('documentation', () => {
  it('keeps the README short enough to read at once', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(250)
  })

  it('links only to files and headings that exist', () => {
    const broken: string[] = []
    for (const page of PAGES) {
      for (const [, target] of withoutCode(read(page)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!target || /^[a-z]+:/.test(target)) continue
        const [file, anchor] = target.split('#') as [string, string | undefined]
        const linked = file === '' ? page : normalize(join(dirname(page), file))
        if (!existsSync(join(ROOT, linked))) broken.push(`${page}: ${target} (no such file)`)
        else if (anchor && linked.endsWith('.md') && !anchorsOf(read(linked)).has(anchor)) {
          broken.push(`${page}: ${target} (no such heading)`)
        }
      }
    }
    expect(broken).toEqual([])
  })

  it('names only repository files that exist, in the pages and in code comments', () => {
    const missing: string[] = []
    for (const page of PAGES) {
      for (const [, path] of read(page).matchAll(
        /`((?:src|adapters|workers|bench|scripts|bin|test|docs)\/[\w./-]+)`/g,
      )) {
        if (path && !GENERATED.includes(path) && !existsSync(join(ROOT, path)))
          missing.push(`${page}: ${path}`)
      }
    }
    const code = ['src', 'adapters', 'workers', 'bin', 'bench', 'scripts', 'test']
      .flatMap((dir) => filesUnder(dir, (name) => /\.(tsx?|js|cjs|lua)$/.test(name)))
      .filter((file) => !file.startsWith(join('test', 'fixtures')))
    for (const file of code) {
      for (const [, path] of read(file).matchAll(/((?:\.\.?\/)*\w[\w./-]*\.md)\b/g)) {
        const fromRoot = path?.replace(/^(\.\.?\/)+/, '')
        if (fromRoot && !existsSync(join(ROOT, fromRoot))) missing.push(`${file}: ${path}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('gives every built-in carrier its row in docs/carriers.md and a page of its own', () => {
    const table = read('docs/carriers.md')
    for (const id of BUILTIN_CARRIER_IDS) {
      expect(table, id).toMatch(new RegExp(`^\\| \`${id}\` +\\|`, 'm'))
      expect(table, id).toContain(`(carriers/${id}.md)`)
    }
  })

  it('shows each carrier code table as the adapter maps it', () => {
    expect(codeTableOf(read('docs/carriers/laposte.md'))).toEqual(LAPOSTE_STATUS_BY_CODE)
    expect(codeTableOf(read('docs/carriers/chronopost.md'))).toEqual(CHRONOPOST_STATUS_BY_CODE)
    expect(codeTableOf(read('docs/carriers/sandbox.md'))).toEqual(SANDBOX_STATUS_BY_CODE)
    expect(codeTableOf(read('docs/carriers/mondialrelay.md'))).toEqual(MONDIALRELAY_STATUS_BY_CODE)
  })

  it("names Chronopost's scans that only resume as the adapter marks them", () => {
    const intro = read('docs/carriers/chronopost.md').match(
      /^### Scans that only resume\n\n(.+?) events carry `resumesOnly: true`/m,
    )?.[1]
    const named = [...(intro ?? '').matchAll(/`([A-Z0-9]+)`/g)].map(([, code]) => code)
    expect(named.sort()).toEqual([...CHRONOPOST_RESUMES_ONLY_CODES].sort())
  })

  describe('docs/api.md', () => {
    let harness: MemoryHarness
    let spec: Spec
    const api = read('docs/api.md')

    beforeAll(async () => {
      harness = await createMemoryHarness('docs')
      spec = await fetchSpec(harness.app)
    })

    afterAll(async () => {
      await harness?.close()
    })

    it('has a heading for every operation of /openapi.json', () => {
      const headings = [...api.matchAll(/^#{2,4} (.+)$/gm)].map(([, heading]) => heading).join('\n')
      const operations = Object.entries(spec.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => `\`${method.toUpperCase()} ${path}\``),
      )
      expect(operations.length).toBeGreaterThan(15)
      expect(operations.filter((operation) => !headings.includes(operation))).toEqual([])
    })

    it('describes every field of a tracking', () => {
      const tracking = api.slice(
        api.indexOf('### The tracking object'),
        api.indexOf('### `POST /v1/trackings`'),
      )
      expect(DOCUMENTED_TRACKING_FIELDS.filter((field) => !tracking.includes(`\`${field}\``))).toEqual([])
    })
  })
})
