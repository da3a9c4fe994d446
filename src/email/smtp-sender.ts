import { createTransport } from 'nodemailer'

export interface SmtpSettings {
  /** SMTP_URL: smtp:// (STARTTLS when offered) or smtps://. */
  url: string
  from: string
  /** Connections kept open to the server, each sending one message at a time. */
  maxConnections: number
  dkim?: { domainName: string; keySelector: string; privateKey: string }
  /** Connection, greeting and socket idle timeouts. */
  timeoutMs?: number
}

export interface OutgoingEmail {
  to: string
  subject: string
  text: string
  html: string
  /** The same on every attempt, so that a copy sent twice can be recognised. */
  messageId: string
  headers: Record<string, string>
}

/**
 * What the server made of one message: `accepted`; `retry` (a 4xx reply, or no reply at all: the
 * connection failed); `refused` (a 5xx reply: the same message would be refused again).
 */
export type SendOutcome =
  | { outcome: 'accepted'; smtpCode?: number; smtpResponse: string }
  | { outcome: 'retry' | 'refused'; smtpCode?: number; smtpResponse?: string; error?: string }

/** Replies carry the recipient's address often ("550 <x@y>: no such user"): it never goes into the log. */
const RESPONSE_MAX_LENGTH = 300

export function trimSmtpResponse(response: string, recipient: string): string {
  const withoutAddress = recipient ? response.split(recipient).join('<recipient>') : response
  return withoutAddress
    .replace(/[\p{Cc}\s]+/gu, ' ')
    .trim()
    .slice(0, RESPONSE_MAX_LENGTH)
}

function replyCodeOf(response: string | undefined): number | undefined {
  const code = Number(/^\d{3}/.exec(response ?? '')?.[0])
  return Number.isInteger(code) && code > 0 ? code : undefined
}

/** RFC 5321: 5yz replies are permanent, except 503 (bad sequence: the session was in the wrong state). */
function isPermanent(code: number | undefined): boolean {
  return code !== undefined && code >= 500 && code < 600 && code !== 503
}

export interface SmtpSender {
  send(email: OutgoingEmail): Promise<SendOutcome>
  close(): void
}

/** Sends e-mails over one pooled SMTP transport; never throws for what the server answers. */
export function createSmtpSender(settings: SmtpSettings): SmtpSender {
  const timeoutMs = settings.timeoutMs ?? 30_000
  const transport = createTransport({
    url: settings.url,
    pool: true,
    maxConnections: settings.maxConnections,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(settings.dkim ? { dkim: settings.dkim } : {}),
  })

  return {
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: email.headers,
        })
        const response = String(info.response ?? '')
        return {
          outcome: 'accepted',
          smtpCode: replyCodeOf(response),
          smtpResponse: trimSmtpResponse(response, email.to),
        }
      } catch (error) {
        const failure = error as Error & { responseCode?: number; response?: string; code?: string }
        const smtpCode = failure.responseCode ?? replyCodeOf(failure.response)
        const smtpResponse = failure.response ? trimSmtpResponse(failure.response, email.to) : undefined
        return {
          outcome: isPermanent(smtpCode) ? 'refused' : 'retry',
          ...(smtpCode !== undefined ? { smtpCode } : {}),
          ...(smtpResponse ? { smtpResponse } : {}),
          ...(smtpCode === undefined
            ? { error: trimSmtpResponse(failure.code ?? failure.message, email.to) }
            : {}),
        }
      }
    },
    close() {
      transport.close()
    },
  }
}
