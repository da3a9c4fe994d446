/**
 * A loopback SMTP server (the `smtp-server` package), run as a child process (`node --import tsx
 * bench/loopback-smtp.ts`, with an IPC channel) so that receiving mail does not take the CPU of the
 * colis process that sends it: a real mail relay is another machine.
 *
 * It accepts every message and notes, for each, its first recipient and when its DATA ended (`Date.now()`,
 * the clock the parent's is compared with). Messages to the parent: `{ port }` once listening; after
 * `{ reset: true }`, `{ reset: true }` once the notes are cleared; after `{ until: n }`, `{ reached: n,
 * lastAtMs }` once n messages were accepted since the reset; after `{ report: true }`, `{ accepted:
 * [recipient, atMs][] }`.
 */
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export type LoopbackSmtpMessage =
  | { port: number }
  | { reset: true }
  | { reached: number; lastAtMs: number }
  | { accepted: Array<[string, number]> }

let accepted: Array<[string, number]> = []
let waiting: number | undefined

function answerWaiting() {
  if (waiting === undefined || accepted.length < waiting) return
  const reached = waiting
  waiting = undefined
  process.send?.({ reached, lastAtMs: accepted[reached - 1]?.[1] ?? 0 } satisfies LoopbackSmtpMessage)
}

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  // Senders keep their pooled connections open until they close: do not wait for them at the end.
  closeTimeout: 1000,
  onData(stream, session, callback) {
    stream.resume()
    stream.on('end', () => {
      accepted.push([session.envelope.rcptTo[0]?.address ?? '', Date.now()])
      callback()
      answerWaiting()
    })
  },
})

process.on('message', (message: { reset?: true; until?: number; report?: true }) => {
  if (message.reset) {
    accepted = []
    process.send?.({ reset: true } satisfies LoopbackSmtpMessage)
  }
  if (message.until !== undefined) {
    waiting = message.until
    answerWaiting()
  }
  if (message.report) {
    process.send?.({ accepted } satisfies LoopbackSmtpMessage)
  }
})

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.server.address() as AddressInfo).port } satisfies LoopbackSmtpMessage)
})
// The parent went away (or closed the channel): nothing left to receive.
process.on('disconnect', () => server.close(() => process.exit(0)))
