import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLoopFailures, throttleErrorLog } from '../src/log-throttle.js'
import { createLogger } from '../src/logger.js'

function captureLogger() {
  const lines: Array<Record<string, unknown>> = []
  const logger = createLogger('debug', {}, { destination: { write: (line) => lines.push(JSON.parse(line)) } })
  return { logger, lines }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('throttleErrorLog', () => {
  it('logs each distinct error once per window, then says how many it held back', () => {
    vi.useFakeTimers()
    const { logger, lines } = captureLogger()
    const onError = throttleErrorLog(logger, 'poll worker error', 60_000)
    for (let attempt = 0; attempt < 30; attempt++) onError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    onError(new Error('READONLY You can not write against a read only replica'))
    expect(lines.map((line) => (line.err as { message: string }).message)).toEqual([
      'connect ECONNREFUSED 127.0.0.1:6379',
      'READONLY You can not write against a read only replica',
    ])
    vi.advanceTimersByTime(60_000)
    onError(new Error('connect ECONNREFUSED 127.0.0.1:6379'))
    expect(lines).toHaveLength(3)
    expect(lines[2]).toMatchObject({ level: 50, msg: 'poll worker error', suppressedSinceLast: 29 })
  })
})

describe('createLoopFailures', () => {
  it('backs off exponentially up to its ceiling, and starts over after a success', () => {
    const { logger } = captureLogger()
    const failures = createLoopFailures(logger, 'outbox relay', { baseMs: 1_000, maxMs: 30_000 })
    const waits = Array.from({ length: 7 }, () => failures.failed(new Error('down')))
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000])
    failures.succeeded()
    expect(failures.failed(new Error('down again'))).toBe(1_000)
  })
})
