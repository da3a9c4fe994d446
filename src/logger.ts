import { pino } from 'pino'

export type Logger = pino.Logger

const REDACTED = '[REDACTED]'

/**
 * Secrets that have a recognisable shape, blanked out of every log line whatever field carries them
 * (a message, an error stack, a URL): API keys keep their public key id, webhook secrets their prefix.
 */
const SECRET_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/\b(colis_[A-Za-z0-9]{12}_)[A-Za-z0-9_-]{8,}/g, `$1${REDACTED}`],
  [/\b(whsec_)[A-Za-z0-9+/=_-]{8,}/g, `$1${REDACTED}`],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${REDACTED}`],
  // A tracking page's token, the only credential of its public page: `/t/<token>` in a path or URL.
  [/(\/t\/)[A-Za-z0-9_-]{16,}/g, `$1${REDACTED}`],
  // A merchant dashboard session id or sign-in form token, as a Cookie or Set-Cookie header carries it.
  [/\b(colis_dashboard(?:_form)?=)[A-Za-z0-9_-]{16,}/g, `$1${REDACTED}`],
  // The secret of a shopper's unsubscribe link (its path is in request lines).
  [/(\/unsubscribe\/trk_[A-Za-z0-9]{20}\.ntf_[A-Za-z0-9]{20}\.)[A-Za-z0-9_-]{8,}/g, `$1${REDACTED}`],
  // A password in a Redis (or any) URL: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/"]*:)[^\s@/"]+@/gi, `$1${REDACTED}@`],
]

/** Fields blanked out wherever they sit in a log object (defence in depth; the line scrub is the rule). */
const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'cookie',
  '*.cookie',
  'headers.cookie',
  '*.headers.cookie',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'token',
  '*.token',
]

/** Shorter literals are not registered: blanking them out would mangle ordinary words. */
const MIN_LITERAL_SECRET_LENGTH = 6

/** The stream every colis logger writes through: each finished line is scrubbed of secrets. */
class ScrubbingStream {
  readonly #destination: pino.DestinationStream
  readonly #literals = new Set<string>()

  constructor(destination: pino.DestinationStream, literals: Iterable<string | undefined> = []) {
    this.#destination = destination
    this.add(literals)
  }

  add(literals: Iterable<string | undefined>) {
    for (const literal of literals) {
      if (!literal || literal.length < MIN_LITERAL_SECRET_LENGTH) continue
      this.#literals.add(literal)
      // The line is JSON: a secret with quotes or backslashes appears escaped in it.
      this.#literals.add(JSON.stringify(literal).slice(1, -1))
    }
  }

  write(line: string) {
    this.#destination.write(scrubSecrets(line, this.#literals))
  }
}

/** `text` with every secret of a known shape, and every literal in `literals`, blanked out. */
export function scrubSecrets(text: string, literals: Iterable<string> = []): string {
  let scrubbed = text
  for (const literal of literals) {
    if (scrubbed.includes(literal)) scrubbed = scrubbed.split(literal).join(REDACTED)
  }
  for (const [pattern, replacement] of SECRET_PATTERNS) scrubbed = scrubbed.replace(pattern, replacement)
  return scrubbed
}

export interface LoggerOptions {
  /** Where lines go; stderr by default. */
  destination?: pino.DestinationStream
  /** Values that must never appear in a line (carrier keys, tokens): replaced by `[REDACTED]`. */
  secrets?: Iterable<string | undefined>
}

/** Logs go to stderr so that stdout carries only a command's own output (`--json` stays pure JSON). */
export function createLogger(
  level: string,
  bindings: Record<string, unknown> = {},
  options: LoggerOptions = {},
): Logger {
  const stream = new ScrubbingStream(options.destination ?? pino.destination(2), options.secrets)
  return pino(
    {
      level,
      base: { ...bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    stream,
  )
}

/**
 * Adds values that must never be logged to the stream of `logger` (shared by all its children),
 * e.g. the carrier keys known once the configuration is read. A logger not made by `createLogger`
 * is left as it is.
 */
export function protectSecrets(logger: Logger, secrets: Iterable<string | undefined>): void {
  const stream: unknown = Reflect.get(logger, pino.symbols.streamSym)
  if (stream instanceof ScrubbingStream) stream.add(secrets)
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' })
}
