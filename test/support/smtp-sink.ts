import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedEmail {
  to: string[]
  raw: string
  receivedAtMs: number
}

/** What the sink answers to a recipient: undefined accepts it, a code refuses it with that reply. */
export type RecipientRule = (address: string) => { code: number; message: string } | undefined

/**
 * A real SMTP server on a loopback port (smtp-server: it speaks SMTP on a socket, as a mail relay
 * would), keeping each message it accepts as raw MIME.
 */
export async function startSmtpSink(rule: RecipientRule = () => undefined) {
  const received: ReceivedEmail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = rule(address.address)
      if (!refusal) return callback()
      const error = Object.assign(new Error(refusal.message), { responseCode: refusal.code })
      callback(error)
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          receivedAtMs: Date.now(),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.server.address() as AddressInfo
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (address: string) => received.filter((email) => email.to.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export type SmtpSink = Awaited<ReturnType<typeof startSmtpSink>>

/** The raw headers, unfolded, by lower-case name (the first of each). */
export function headersOf(raw: string): Map<string, string> {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? ''
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    if (colon > 0 && !headers.has(name)) headers.set(name, line.slice(colon + 1).trim())
  }
  return headers
}

/** A header value with its RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) decoded. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_all, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_hex, code: string) =>
                String.fromCharCode(Number.parseInt(code, 16)),
              ),
            'latin1',
          ).toString('utf8'),
    )
}

/** The body of each MIME part of a multipart message, by content type, decoded. */
export function partsOf(raw: string): Map<string, string> {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headersOf(raw).get('content-type') ?? '')?.[1]
  const parts = new Map<string, string>()
  if (!boundary) return parts
  for (const part of raw.split(`--${boundary}`).slice(1, -1)) {
    const headers = headersOf(part.replace(/^\r?\n/, ''))
    const type = (headers.get('content-type') ?? '').split(';')[0]?.trim() ?? ''
    const body = part
      .replace(/^\r?\n/, '')
      .split(/\r?\n\r?\n/)
      .slice(1)
      .join('\n\n')
    const encoding = headers.get('content-transfer-encoding')?.toLowerCase()
    parts.set(type, decodeBody(body, encoding))
  }
  return parts
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_hex, code: string) => String.fromCharCode(Number.parseInt(code, 16)))
    return Buffer.from(bytes, 'latin1').toString('utf8')
  }
  return body
}
