const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** `500ms`, `15s`, `30m`, `4h`, `30d` → milliseconds; undefined when unreadable. */
export function parseDurationMs(text: string): number | undefined {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/)
  if (!match) return undefined
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS])
}

export interface DurationRange {
  minMs: number
  maxMs: number
}

/** `2h-4h` → {minMs, maxMs}; a single duration is a range of one value. */
export function parseDurationRange(text: string): DurationRange | undefined {
  const parts = text.split('-')
  if (parts.length > 2) return undefined
  const [low = '', high = low] = parts
  const minMs = parseDurationMs(low)
  const maxMs = parseDurationMs(high)
  if (minMs === undefined || maxMs === undefined || maxMs < minMs) return undefined
  return { minMs, maxMs }
}
