import { z } from 'zod'
import { CarrierError } from '../contract.js'

const sandboxEventSchema = z.object({
  code: z.string().trim().min(1),
  label: z.string(),
  /** ISO 8601; without an offset it is Europe/Paris wall-clock. */
  at: z.string(),
  city: z.string().optional(),
  postalCode: z.string().optional(),
  countryCode: z.string().optional(),
})

export const sandboxDocumentSchema = z.object({
  trackingNumber: z.string().trim().min(1),
  events: z.array(sandboxEventSchema),
})
export type SandboxDocument = z.output<typeof sandboxDocumentSchema>
export type SandboxRawEvent = z.input<typeof sandboxEventSchema>

/** Reads a raw sandbox body; anything that is not the sandbox format is `unexpected_response`. */
export function readSandboxDocument(body: string): SandboxDocument {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (cause) {
    throw new CarrierError('unexpected_response', 'sandbox answer is not JSON', { cause })
  }
  const result = sandboxDocumentSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.join('.') || 'body'
    throw new CarrierError(
      'unexpected_response',
      `sandbox answer is not in its format: ${where}: ${issue?.message}`,
      {
        cause: result.error,
      },
    )
  }
  return result.data
}
