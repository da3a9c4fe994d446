import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { ValidationSeverity, validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { CONFIG_SCHEMA, loadConfig } from '../src/config.js'
import { parseDurationMs } from '../src/duration.js'
import { NODE_FLAGS } from '../src/node-flags.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const read = (path: string) => readFileSync(`${ROOT}/${path}`, 'utf8')

interface Instruction {
  keyword: string
  args: string
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function readInstructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ')
  return logical
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [, keyword = '', args = ''] = line.trim().match(/^(\S+)\s*(.*)$/) ?? []
      return { keyword: keyword.toUpperCase(), args }
    })
}

/** The instructions of each build stage, by stage name. */
function readStages(text: string): Map<string, { from: string; instructions: Instruction[] }> {
  const stages = new Map<string, { from: string; instructions: Instruction[] }>()
  let current: Instruction[] | undefined
  for (const instruction of readInstructions(text)) {
    if (instruction.keyword === 'FROM') {
      const [, from = '', name = ''] = instruction.args.match(/^(\S+)\s+AS\s+(\S+)$/i) ?? []
      current = []
      stages.set(name, { from, instructions: current })
    } else current?.push(instruction)
  }
  return stages
}

type Yaml = string | number | boolean | null | Yaml[] | { [key: string]: Yaml }

/**
 * Reads the block-style YAML subset docker-compose.yml is written in (maps, `- ` lists, JSON-style flow
 * lists and quoted strings, whole-line comments). Anything else throws: keep the file in this subset,
 * or grow this reader. (No YAML parser is a dependency of colis.)
 */
function readBlockYaml(text: string): Yaml {
  const lines = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => ({ indent: line.search(/\S/), text: line.trim() }))
  let index = 0
  const scalar = (raw: string): Yaml => {
    if (raw.startsWith('[') || raw.startsWith('"')) return JSON.parse(raw) as Yaml
    if (raw === 'true' || raw === 'false') return raw === 'true'
    if (/^\d+$/.test(raw)) return Number(raw)
    if (/[#&*!|>'{}]/.test(raw[0] ?? '')) throw new Error(`YAML outside the supported subset: ${raw}`)
    return raw
  }
  const readMap = (indent: number): Record<string, Yaml> => {
    const map: Record<string, Yaml> = {}
    while (index < lines.length) {
      const line = lines[index]
      if (!line || line.indent < indent) break
      if (line.indent > indent) throw new Error(`unexpected indentation: ${line.text}`)
      const [, key, value] = line.text.match(/^([\w.-]+):(?:\s+(.*))?$/) ?? []
      if (!key) throw new Error(`not a "key: value" line: ${line.text}`)
      index++
      const next = lines[index]
      if (value !== undefined) map[key] = scalar(value)
      else if (next && next.indent > indent) map[key] = readBlock(next.indent)
      else map[key] = null
    }
    return map
  }
  const readList = (indent: number): Yaml[] => {
    const list: Yaml[] = []
    for (
      let line = lines[index];
      line?.indent === indent && line.text.startsWith('- ');
      line = lines[index]
    ) {
      const item = line.text.slice(2)
      if (/^[\w.-]+:(\s|$)/.test(item)) {
        // `- key: value` opens a map whose keys sit two columns deeper.
        lines[index] = { indent: indent + 2, text: item }
        list.push(readMap(indent + 2))
      } else {
        list.push(scalar(item))
        index++
      }
    }
    return list
  }
  const readBlock = (indent: number): Yaml =>
    lines[index]?.text.startsWith('- ') ? readList(indent) : readMap(indent)
  const document = readMap(0)
  if (index < lines.length) throw new Error(`unread YAML from: ${lines[index]?.text}`)
  return document
}

function at(value: Yaml | undefined, ...path: string[]): Yaml | undefined {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    current = current[key]
  }
  return current
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')
  const stages = readStages(dockerfile)
  const runtime = [...stages.values()].at(-1)
  const instructionsOf = (keyword: string) =>
    runtime?.instructions.filter((instruction) => instruction.keyword === keyword) ?? []

  it('passes dockerfile-utils with every warning counted as an error', () => {
    const strict = ValidationSeverity.ERROR
    const diagnostics = validate(dockerfile, {
      deprecatedMaintainer: strict,
      directiveCasing: strict,
      emptyContinuationLine: strict,
      instructionCasing: strict,
      instructionCmdMultiple: strict,
      instructionEntrypointMultiple: strict,
      instructionHealthcheckMultiple: strict,
      instructionJSONInSingleQuotes: strict,
      instructionWorkdirRelative: strict,
    })
    expect(diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([])
  })

  it('builds in stages and runs on node:24-slim as the non-root node user, in production mode', () => {
    expect([...stages.keys()]).toEqual(['deps', 'build', 'prod-deps', 'runtime'])
    expect(runtime?.from).toBe('node:24-slim')
    const env = instructionsOf('ENV')
      .map((instruction) => instruction.args)
      .join(' ')
    expect(env).toMatch(/\bNODE_ENV=production\b/)
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/)
    expect(env).toMatch(/\bCOLIS_ROLE=all\b/)
    expect(instructionsOf('USER').map((instruction) => instruction.args)).toEqual(['node'])
    const keywords = runtime?.instructions.map((instruction) => instruction.keyword) ?? []
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'))
    // No --role: COLIS_ROLE picks what a container runs.
    expect(instructionsOf('CMD').map((instruction) => JSON.parse(instruction.args))).toEqual([
      ['node', ...NODE_FLAGS, 'bin/colis.js', 'serve'],
    ])
    expect(instructionsOf('EXPOSE').map((instruction) => instruction.args)).toEqual(['3000'])
    // Dev dependencies stay out: the runtime copies node_modules from the pruned stage only.
    expect(instructionsOf('COPY').map((instruction) => instruction.args)).toContain(
      '--from=prod-deps /app/node_modules node_modules',
    )
  })

  it("HEALTHCHECK's command (node's fetch, no curl) passes on a 200 from /healthz and fails otherwise", async () => {
    const [healthcheck] = instructionsOf('HEALTHCHECK')
    const command = JSON.parse(healthcheck?.args.replace(/^.*?CMD\s+/, '') ?? '[]') as string[]
    expect(command.slice(0, 2)).toEqual(['node', '-e'])
    const requested: string[] = []
    let status = 200
    const server = createServer((request, response) => {
      requested.push(request.url ?? '')
      response.writeHead(status).end()
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = String((server.address() as AddressInfo).port)
    // Run as the image runs it, asynchronously: a synchronous spawn would block this server.
    const check = (env: Record<string, string>) =>
      new Promise<number | null>((resolve) => {
        spawn(process.execPath, command.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore' }).on(
          'exit',
          resolve,
        )
      })
    try {
      expect(await check({ PORT: port })).toBe(0)
      status = 503
      expect(await check({ PORT: port })).toBe(1)
      expect(requested).toEqual(['/healthz', '/healthz'])
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
    expect(await check({ PORT: port })).toBe(1)
  })

  it('.dockerignore lets in exactly what the Dockerfile copies from the build context', () => {
    const patterns = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
    const copied = readInstructions(dockerfile)
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from'))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1))
    expect(patterns[0]).toBe('*')
    expect(new Set(patterns.slice(1))).toEqual(new Set(copied.map((path) => `!${path}`)))
  })

  it('is linted by npm test', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts
    expect(scripts['lint:docker']).toBe('dockerfile-utils lint Dockerfile')
    expect(scripts.test).toMatch(/npm run lint:docker &&/)
  })
})

describe('docker-compose.yml', () => {
  const compose = readBlockYaml(read('docker-compose.yml'))
  const service = (name: string, ...path: string[]) => at(compose, 'services', name, ...path)
  const knownVariables = new Set(Object.keys(CONFIG_SCHEMA.shape))

  it('runs Redis with the append-only file and noeviction, on a volume, with a health check', () => {
    expect(Object.keys(at(compose, 'services') ?? {})).toEqual(['redis', 'api', 'worker'])
    expect(service('redis', 'image')).toBe('redis:7')
    const command = service('redis', 'command') as string[]
    expect(command.join(' ')).toContain('--appendonly yes')
    expect(command.join(' ')).toContain('--maxmemory-policy noeviction')
    const [volume] = service('redis', 'volumes') as string[]
    expect(volume).toMatch(/^(\S+):\/data$/)
    expect(Object.keys(at(compose, 'volumes') ?? {})).toEqual([volume?.split(':')[0]])
    expect(JSON.stringify(service('redis', 'healthcheck', 'test'))).toContain('redis-cli ping')
  })

  it('reads as this test expects, and as `docker compose config` does where the compose plugin exists', () => {
    expect(
      readBlockYaml('a:\n  b: [1, "x"]\n  c:\n    - d: "3000:3000"\n      e: false\n    - f:/g\n'),
    ).toEqual({
      a: { b: [1, 'x'], c: [{ d: '3000:3000', e: false }, 'f:/g'] },
    })
    expect(() => readBlockYaml('a: &anchor\n')).toThrow(/subset/)
    const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' })
    // Without the plugin (as on this project's CI) the reader above and the checks of this file hold.
    if (plugin.status !== 0) return
    const config = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    expect(config.stderr).toBe('')
    expect(config.status).toBe(0)
  })

  it('runs one api and two workers from the one image, on that Redis once it is healthy', () => {
    expect(service('api', 'environment')).toMatchObject({
      COLIS_ROLE: 'api',
      REDIS_URL: 'redis://redis:6379',
    })
    expect(service('worker', 'environment')).toMatchObject({
      COLIS_ROLE: 'worker',
      REDIS_URL: 'redis://redis:6379',
    })
    expect(service('worker', 'deploy', 'replicas')).toBe(2)
    expect(service('api', 'ports')).toEqual(['3000:3000'])
    expect(service('worker', 'ports')).toBeUndefined()
    for (const name of ['api', 'worker']) {
      expect(service(name, 'build')).toBe('.')
      expect(service(name, 'image')).toBe('colis:local')
      expect(service(name, 'depends_on', 'redis', 'condition')).toBe('service_healthy')
      // The image's HEALTHCHECK applies: a service-level one would override it.
      expect(service(name, 'healthcheck')).toBeUndefined()
      // Docker's SIGKILL must come after colis' own shutdown grace period.
      const grace = parseDurationMs(String(service(name, 'stop_grace_period')))
      expect(grace).toBeGreaterThan(loadConfig({}).COLIS_SHUTDOWN_GRACE)
      for (const variable of Object.keys(service(name, 'environment') ?? {})) {
        expect(knownVariables, variable).toContain(variable)
      }
    }
  })

  it('takes secrets from colis.env (git-ignored), whose example names only real settings', () => {
    for (const name of ['api', 'worker']) {
      expect(service(name, 'env_file')).toEqual([{ path: 'colis.env', required: false }])
    }
    expect(read('.gitignore').split('\n')).toContain('colis.env')
    const example = read('colis.env.example')
      .split('\n')
      .map((line) => line.replace(/^#\s*/, '').match(/^([A-Z][A-Z0-9_]+)=/)?.[1])
      .filter((name): name is string => name !== undefined)
    expect(example.length).toBeGreaterThan(0)
    for (const variable of example) expect(knownVariables, variable).toContain(variable)
  })
})
