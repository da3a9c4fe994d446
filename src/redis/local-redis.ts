import { type ChildProcess, spawn } from 'node:child_process'
import { accessSync, constants, mkdirSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, join, resolve } from 'node:path'

export interface LocalRedis {
  url: string
  pid: number
  stop(): Promise<void>
}

export interface LocalRedisOptions {
  /** Data directory; the append-only file lives there when `persistent`. */
  dir: string
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number
  persistent?: boolean
  binary?: string
  /** More `redis-server` arguments (a cluster node's, for instance), after colis's own. */
  extraArgs?: readonly string[]
  /** How long a stopping redis-server gets to save and exit before it is killed (30 s). */
  stopGraceMs?: number
}

/** How long a stopping redis-server gets to save and exit before it is killed. */
const STOP_GRACE_MS = 30_000

export class RedisBinaryMissingError extends Error {
  override readonly name = 'RedisBinaryMissingError'
}

// biome-ignore lint/style/noProcessEnv lint/nursery/noJsRestrictedProperties: PATH finds redis-server as a shell would; no colis setting
export function findRedisBinary(path = process.env.PATH ?? ''): string | undefined {
  for (const name of ['redis-server', 'valkey-server']) {
    for (const dir of path.split(delimiter).filter(Boolean)) {
      const candidate = join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {}
    }
  }
  return undefined
}

export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolvePort(port))
    })
  })
}

/**
 * Starts a private redis-server child on 127.0.0.1 with `noeviction`, outside our process group: only
 * `stop()` (or this process exiting) stops it, and it watches our pid itself, so a SIGKILLed parent
 * leaves no orphan behind.
 */
export async function startLocalRedis(options: LocalRedisOptions): Promise<LocalRedis> {
  const binary = options.binary ?? findRedisBinary()
  if (!binary) {
    throw new RedisBinaryMissingError(
      'no redis-server found on PATH. Install one (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL=redis://host:6379 to use an existing Redis.',
    )
  }
  const dir = resolve(options.dir)
  mkdirSync(dir, { recursive: true })
  const port = options.port || (await findFreePort())
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '3600 1 300 100']
    : ['--appendonly', 'no', '--save', '']
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
    '--daemonize',
    'no',
    ...persistence,
    ...(options.extraArgs ?? []),
  ]
  // A tiny shell parent watches our pid: if we die without cleanup (SIGKILL), it stops redis. It sleeps
  // through `wait`, which a trapped signal interrupts at once (a plain `sleep 1` made every stop wait
  // for the end of the current second). A redis-server whose final save fails (its directory gone, a
  // full disk) refuses to exit: after a grace it is killed, its append-only file holding what it had.
  const stop = `kill $r 2>/dev/null; n=0; while kill -0 $r 2>/dev/null && [ $n -lt ${Math.ceil((options.stopGraceMs ?? STOP_GRACE_MS) / 100)} ]; do sleep 0.1; n=$((n+1)); done; kill -9 $r 2>/dev/null; wait $r`
  const watcher = `${shellQuote(binary)} ${args.map(shellQuote).join(' ')} & r=$!; trap '${stop}; exit 0' TERM INT; while kill -0 ${process.pid} 2>/dev/null && kill -0 $r 2>/dev/null; do sleep 1 & wait $!; done; ${stop}`
  // Detached: in a process group of its own, so that Ctrl-C at a terminal (SIGINT to the whole foreground
  // group) reaches colis only; colis then stops Redis itself, after its workers are done with it.
  const child = spawn('/bin/sh', ['-c', watcher], { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const output: string[] = []
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()))
  const onExit = () => child.kill('SIGTERM')
  killedOnExit(onExit)
  try {
    await waitForReady(child, output, port)
  } catch (error) {
    KILLED_ON_EXIT.delete(onExit)
    child.kill('SIGTERM')
    throw error
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    async stop() {
      KILLED_ON_EXIT.delete(onExit)
      if (child.exitCode !== null) return
      await new Promise<void>((done) => {
        child.once('exit', () => done())
        child.kill('SIGTERM')
      })
    },
  }
}

/** What stops each running server when the process exits: one listener for all (a cluster runs many). */
const KILLED_ON_EXIT = new Set<() => void>()

function killedOnExit(kill: () => void): void {
  if (!process.listeners('exit').includes(killAllOnExit)) process.on('exit', killAllOnExit)
  KILLED_ON_EXIT.add(kill)
}

function killAllOnExit(): void {
  for (const kill of KILLED_ON_EXIT) kill()
}

async function waitForReady(child: ChildProcess, output: string[], port: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output.join('').trim().slice(-500)}`)
    if (/ready to accept connections/i.test(output.join(''))) return
    if (await ping(port)) return
    await new Promise((done) => setTimeout(done, 25))
  }
  throw new Error(`redis-server did not start within 10 s: ${output.join('').slice(-500)}`)
}

async function ping(port: number): Promise<boolean> {
  const { Socket } = await import('node:net')
  return new Promise((done) => {
    const socket = new Socket()
    socket.setTimeout(200)
    socket.once('error', () => done(false))
    socket.once('timeout', () => {
      socket.destroy()
      done(false)
    })
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
    socket.once('data', (data) => {
      socket.destroy()
      done(data.toString().startsWith('+PONG'))
    })
  })
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}
