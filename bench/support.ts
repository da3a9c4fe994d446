import { type ChildProcess, spawn } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { connect, createServer, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { FakeLaPosteCounters } from './fake-laposte.js'
import type { FakeLaPosteMix } from './laposte-answers.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** A TCP proxy in front of Redis that counts client→server writes: each is one round trip. */
export async function startCountingProxy(targetPort: number) {
  let writes = 0
  let bytes = 0
  const sockets = new Set<Socket>()
  const server = createServer((client) => {
    const upstream = createConnectionTo(targetPort)
    sockets.add(client).add(upstream)
    client.on('data', (chunk) => {
      writes++
      bytes += chunk.length
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => client.write(chunk))
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('close', close).on('error', close)
    upstream.on('close', close).on('error', close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counters: () => ({ writes, bytes }),
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function createConnectionTo(port: number): Socket {
  return connect(port, '127.0.0.1')
}

/**
 * A loopback La Poste (bench/fake-laposte.ts) in a child process: its CPU is its own, as a real carrier's
 * is, and `(await counters()).cpuMs` says how much it used.
 */
export async function startFakeLaPoste() {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fake-laposte.ts', import.meta.url))],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  )
  const onExit = () => child.kill('SIGKILL')
  process.once('exit', onExit)
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake La Poste exited (${code})`)))
    child.once('message', ({ port }: { port: number }) => resolve(port))
  })
  return {
    baseUrl: `http://127.0.0.1:${port}/suivi/v2`,
    /** Its counters now; every request it answered before the call is in them. */
    counters(): Promise<FakeLaPosteCounters> {
      return new Promise((resolve) => {
        const answered = (message: FakeLaPosteCounters & { mixed?: number }) => {
          if (message.mixed !== undefined) return
          child.off('message', answered)
          resolve(message)
        }
        child.on('message', answered)
        child.send({ ask: true })
      })
    },
    /** Sets the histories it answers with; resolves once the carrier has them. */
    setMix(mix: FakeLaPosteMix): Promise<void> {
      return new Promise((resolve) => {
        const acknowledged = (message: { mixed?: number }) => {
          if (message.mixed !== mix.generation) return
          child.off('message', acknowledged)
          resolve()
        }
        child.on('message', acknowledged)
        child.send({ mix })
      })
    },
    async close() {
      process.off('exit', onExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      await exited
    },
  }
}

export type FakeLaPoste = Awaited<ReturnType<typeof startFakeLaPoste>>
