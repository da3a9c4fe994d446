import { z } from 'zod'

/** Bounds of a tracking's `metadata`: shape first, then size, so that no check walks an unbounded value. */
export const METADATA_LIMITS = {
  /** Objects and arrays nested in one another, `metadata` itself counting as the first. */
  maxDepth: 8,
  /** Keys and array items, at every level together. */
  maxEntries: 256,
  /** Its JSON text, in bytes. */
  maxBytes: 2048,
} as const

/**
 * Why the value is out of bounds, found by walking it without recursion and stopping at the first
 * bound it crosses: a body of a few kilobytes can nest thousands of levels, which a recursive walk
 * (`JSON.stringify` among them) cannot take.
 */
function shapeProblem(metadata: Record<string, unknown>): string | undefined {
  const { maxDepth, maxEntries } = METADATA_LIMITS
  let entries = 0
  const pending: Array<{ value: object; depth: number }> = [{ value: metadata, depth: 1 }]
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > maxDepth) return `metadata may nest objects and arrays ${maxDepth} levels deep at most`
    const children: unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value)
    entries += children.length
    if (entries > maxEntries) {
      return `metadata may hold ${maxEntries} entries at most (keys and array items, every level counted)`
    }
    for (const child of children) {
      if (child !== null && typeof child === 'object') pending.push({ value: child, depth: next.depth + 1 })
    }
  }
  return undefined
}

export const MetadataSchema = z
  .record(z.string(), z.unknown())
  .superRefine((metadata, context) => {
    const problem =
      shapeProblem(metadata) ??
      (Buffer.byteLength(JSON.stringify(metadata)) > METADATA_LIMITS.maxBytes
        ? `metadata must be at most ${METADATA_LIMITS.maxBytes} bytes of JSON`
        : undefined)
    if (problem) context.addIssue({ code: 'custom', message: problem })
  })
  .describe(
    `Your own data, returned as given: at most ${METADATA_LIMITS.maxBytes} bytes of JSON, ` +
      `${METADATA_LIMITS.maxDepth} levels of nested objects and arrays (metadata itself is the first) ` +
      `and ${METADATA_LIMITS.maxEntries} keys and array items in all.`,
  )
