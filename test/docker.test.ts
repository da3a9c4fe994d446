import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  Copy,
  type Dockerfile,
  DockerfileParser,
  Env,
  From,
  Healthcheck,
  type Instruction,
  JSONInstruction,
} from 'dockerfile-ast'
import { ValidationSeverity, validate } from 'dockerfile-utils'
import { describe, expect, it } from 'vitest'
import { parseDocument } from 'yaml'
import { CONFIG_SCHEMA, loadConfig } from '../src/config.js'
import { parseDurationMs } from '../src/duration.js'
import { NODE_FLAGS } from '../src/node-flags.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const read = (path: string) => readFileSync(`${ROOT}/${path}`, 'utf8')

/** A place in the Dockerfile, as its parser gives it (zero-based line and character). */
type Position = ReturnType<Instruction['getRange']>['start']

interface Stage {
  name: string
  /** The base image. */
  from: string
  instructions: Instruction[]
}

/** The build stages, in order. */
function readStages(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = []
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction instanceof From) {
      stages.push({
        name: instruction.getBuildStage() ?? '',
        from: instruction.getImage() ?? '',
        instructions: [],
      })
    } else stages.at(-1)?.instructions.push(instruction)
  }
  return stages
}

const argumentsOf = (instruction: Instruction) =>
  instruction.getArguments().map((argument) => argument.getValue())

/** The text of `source` between two positions of the parser. */
function textBetween(source: string, start: Position, end: Position): string {
  const lines = source.split('\n')
  if (start.line === end.line) return lines[start.line]?.slice(start.character, end.character) ?? ''
  return [
    lines[start.line]?.slice(start.character) ?? '',
    ...lines.slice(start.line + 1, end.line),
    lines[end.line]?.slice(0, end.character) ?? '',
  ].join('\n')
}

function at(value: unknown, ...path: string[]): unknown {
  let current = value
  for (const key of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile')
  const parsed = DockerfileParser.parse(dockerfile)
  const stages = readStages(parsed)
  const runtime = stages.at(-1)
  const instructionsOf = (keyword: string) =>
    runtime?.instructions.filter((instruction) => instruction.getKeyword() === keyword) ?? []

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
    expect(stages.map((stage) => stage.name)).toEqual(['deps', 'build', 'prod-deps', 'runtime'])
    expect(runtime?.from).toBe('node:24-slim')
    const env = Object.fromEntries(
      instructionsOf('ENV').flatMap((instruction) =>
        instruction instanceof Env
          ? instruction.getProperties().map((property) => [property.getName(), property.getValue()])
          : [],
      ),
    )
    expect(env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', COLIS_ROLE: 'all' })
    expect(instructionsOf('USER').map(argumentsOf)).toEqual([['node']])
    const keywords = runtime?.instructions.map((instruction) => instruction.getKeyword()) ?? []
    expect(keywords.indexOf('USER')).toBeLessThan(keywords.indexOf('CMD'))
    // No --role: COLIS_ROLE picks what a container runs. The exec (JSON) form: no shell in between.
    expect(
      instructionsOf('CMD').map((instruction) =>
        instruction instanceof JSONInstruction
          ? instruction.getJSONStrings().map((argument) => argument.getJSONValue())
          : argumentsOf(instruction),
      ),
    ).toEqual([['node', ...NODE_FLAGS, 'bin/colis.js', 'serve']])
    expect(instructionsOf('EXPOSE').map(argumentsOf)).toEqual([['3000']])
    // Dev dependencies stay out: the runtime copies node_modules from the pruned stage only.
    const copies = instructionsOf('COPY').map((instruction) => ({
      from: instruction instanceof Copy ? instruction.getFromFlag()?.getValue() : undefined,
      paths: argumentsOf(instruction),
    }))
    expect(copies).toContainEqual({ from: 'prod-deps', paths: ['/app/node_modules', 'node_modules'] })
  })

  it('installs exactly the lock file with a plain npm ci, as CI does: no npm install to fall back on', () => {
    const deps = stages.find((stage) => stage.name === 'deps')
    const runs = deps?.instructions.filter((instruction) => instruction.getKeyword() === 'RUN') ?? []
    expect(runs.map((instruction) => argumentsOf(instruction).join(' '))).toEqual([
      'npm ci --no-audit --no-fund',
    ])
    const ci = read('.ci/run')
    expect(ci).toMatch(/^npm ci --no-audit --no-fund$/m)
    expect(ci).not.toMatch(/npm install/)
  })

  it("HEALTHCHECK's command (node's fetch, no curl) passes on a 200 from /healthz and fails otherwise", async () => {
    const [healthcheck] = instructionsOf('HEALTHCHECK')
    const subcommand = healthcheck instanceof Healthcheck ? healthcheck.getSubcommand() : null
    expect(subcommand?.getValue()).toBe('CMD')
    const commandText =
      subcommand && healthcheck
        ? textBetween(dockerfile, subcommand.getRange().end, healthcheck.getRange().end)
        : '[]'
    const command = JSON.parse(commandText) as string[]
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
    const copied = parsed
      .getCOPYs()
      .filter((copy) => copy.getFromFlag() === null)
      .flatMap((copy) => argumentsOf(copy).slice(0, -1))
    expect(patterns[0]).toBe('*')
    expect(new Set(patterns.slice(1))).toEqual(new Set(copied.map((path) => `!${path}`)))
  })

  it('is linted by npm test', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts
    expect(scripts['lint:docker']).toBe('dockerfile-utils lint Dockerfile')
    expect(scripts.test).toContain('npm run lint:docker')
  })
})

describe('docker-compose.yml', () => {
  const document = parseDocument(read('docker-compose.yml'))
  const compose: unknown = document.toJS()
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

  it('is valid YAML, and a valid compose file where the compose plugin exists', () => {
    expect(document.errors.map(String)).toEqual([])
    expect(document.warnings.map(String)).toEqual([])
    const plugin = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' })
    // Without the plugin (as on this project's CI) the YAML parser and the checks of this file hold.
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
