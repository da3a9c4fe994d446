import { connect, type Socket } from 'node:net'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** A TCP connection to write raw bytes on: what no HTTP client library lets a test send. */
export interface RawConnection {
  socket: Socket
  write(text: string): void
  /** Everything received so far. */
  received(): string
  /** Resolves once the server closed the connection, with what it had sent. */
  closed: Promise<string>
  /** Resolves with the first whole answer (headers and a Content-Length body). */
  answer(): Promise<RawAnswer>
}

export function parseAnswer(text: string): RawAnswer | undefined {
  const end = text.indexOf('\r\n\r\n')
  if (end === -1) return undefined
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  const body = Buffer.from(text.slice(end + 4), 'latin1')
  if (body.length < length) return undefined
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body.subarray(0, length).toString('utf8'),
  }
}

export async function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let text = ''
  const waiting = new Set<() => void>()
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1')
    for (const wake of waiting) wake()
  })
  // A reset after the answer counts as a close: the answer is what the test looks at.
  socket.on('error', () => {})
  const closed = new Promise<string>((resolve) => socket.once('close', () => resolve(text)))
  return {
    socket,
    write: (raw) => socket.write(raw, 'latin1'),
    received: () => text,
    closed,
    answer: () =>
      new Promise<RawAnswer>((resolve, reject) => {
        const check = () => {
          const parsed = parseAnswer(text)
          if (!parsed) return false
          waiting.delete(wake)
          resolve(parsed)
          return true
        }
        const wake = () => void check()
        if (check()) return
        waiting.add(wake)
        closed.then(() => {
          if (!check()) reject(new Error(`connection closed without a whole answer: ${JSON.stringify(text)}`))
        })
      }),
  }
}

/** Sends `raw` on a new connection and resolves with the first answer. */
export async function sendRaw(url: string, raw: string): Promise<RawAnswer> {
  const connection = await openRaw(url)
  connection.write(raw)
  try {
    return await connection.answer()
  } finally {
    connection.socket.destroy()
  }
}
