export interface Progress {
  update(done: number): void
  /** Clears the bar, so the summary that follows starts on a clean line. */
  finish(): void
}

interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

const PLAIN_STEP = 0.1

/**
 * A bar redrawn in place on a terminal; elsewhere (a log file, CI) one plain line per tenth of the
 * work, and nothing at all for work done in one step.
 */
export function createProgress(stream: ProgressStream, total: number, unit: string): Progress {
  let lastPlain = 0
  if (stream.isTTY !== true) {
    return {
      update(done) {
        if (done >= total || done - lastPlain < total * PLAIN_STEP) return
        lastPlain = done
        stream.write(`${done}/${total} ${unit}\n`)
      },
      finish() {},
    }
  }
  let drawn = false
  return {
    update(done) {
      const ratio = total === 0 ? 1 : done / total
      const counts = ` ${done}/${total} ${unit} ${Math.floor(ratio * 100)}%`
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - counts.length - 3))
      const filled = Math.round(ratio * width)
      stream.write(`\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${counts}`)
      drawn = true
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K')
    },
  }
}
