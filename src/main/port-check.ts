import { createServer } from 'node:net'

/** PORT cannot be listened on (taken, or not allowed): said in one line, before anything starts. */
export class PortUnavailableError extends Error {
  override readonly name = 'PortUnavailableError'
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is already in use',
  EACCES: 'needs privileges this process lacks',
  EADDRNOTAVAIL: 'is on an address this machine does not have',
}

/**
 * Listens on host:port for a moment and lets go, so that a taken port stops startup before Redis and
 * the pollers start. Port 0 (any free port) always works.
 */
export async function assertPortAvailable(host: string, port: number): Promise<void> {
  if (port === 0) return
  await new Promise<void>((resolve, reject) => {
    const probe = createServer()
    probe.once('error', (error: NodeJS.ErrnoException) => {
      const reason = REASONS[error.code ?? ''] ?? `cannot be listened on (${error.code ?? error.message})`
      reject(new PortUnavailableError(`port ${port} on ${host} ${reason} (set PORT or HOST)`))
    })
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()))
  })
}
