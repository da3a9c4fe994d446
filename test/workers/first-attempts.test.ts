import type { Queue } from 'bullmq'
import { describe, expect, it } from 'vitest'
import type { DeliveryDeps } from '../../workers/deliver-webhook.js'
import { createFirstAttempts } from '../../workers/first-attempts.js'
import type { DeliveryJobData } from '../../workers/jobs.js'

const slotsOf = (slots: number) =>
  createFirstAttempts(
    { deps: {} as DeliveryDeps, slots, retryFactor: 1 },
    {} as unknown as Queue<DeliveryJobData>,
  )

describe('first-attempt slots', () => {
  it('reserves no more slots than are free, and gets them back', () => {
    const slots = slotsOf(5)
    expect(slots.reserve(3)).toBe(3)
    expect(slots.reserve(3)).toBe(2)
    expect(slots.reserve(1)).toBe(0)
    slots.release(4)
    expect(slots.free()).toBe(4)
  })

  it('makes a read wait until a batch of slots is free, not just one', async () => {
    const slots = slotsOf(10)
    slots.reserve(10)
    let ready = false
    const room = slots.room(3, 60_000).then(() => {
      ready = true
    })
    slots.release(1)
    slots.release(1)
    await Promise.resolve()
    expect(ready).toBe(false)
    slots.release(1)
    await room
    expect(slots.free()).toBe(3)
  })

  it('gives up waiting after the bound, so a read goes on even with every slot busy', async () => {
    const slots = slotsOf(2)
    slots.reserve(2)
    const started = performance.now()
    await slots.room(1, 30)
    expect(performance.now() - started).toBeGreaterThanOrEqual(25)
    expect(slots.free()).toBe(0)
  })

  it('answers at once when enough slots are free (light traffic)', async () => {
    const slots = slotsOf(4)
    let ready = false
    const room = slots.room(10, 60_000).then(() => {
      ready = true
    })
    await Promise.resolve()
    expect(ready).toBe(true)
    await room
  })
})
