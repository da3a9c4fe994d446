/** A failure the user can fix: one line on stderr, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message)
  }
}
