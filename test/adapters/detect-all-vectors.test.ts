import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Detection } from '../../adapters/detect.js'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'
import { runColis } from '../support/cli.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'
import { type VectorCase, vectorCases } from './detect-vectors.js'

const cases = vectorCases()

function expectDetection(detection: Detection, { carrier, expect: outcome }: VectorCase): void {
  const carriers = detection.candidates.map((candidate) => candidate.carrier)
  for (const candidate of detection.candidates) expect(candidate.reason.length).toBeGreaterThan(10)
  switch (outcome) {
    case 'winner':
      expect(detection.winner).toBe(carrier)
      expect(carriers[0]).toBe(carrier)
      break
    case 'first':
      expect(carriers[0]).toBe(carrier)
      expect(detection.winner).toBeUndefined()
      break
    case 'rejected':
      expect(carriers).not.toContain(carrier)
      expect(detection.winner).toBeUndefined()
      expect(detection.problems.length).toBeGreaterThan(0)
      break
    case 'needs-postal-code': {
      const own = detection.candidates.find((candidate) => candidate.carrier === carrier)
      expect(own?.reason).toMatch(/postal code/)
      expect(detection.winner).toBeUndefined()
    }
  }
}

describe('detection of every vector of both vector files', () => {
  it('covers each group of both files', () => {
    expect(cases.length).toBeGreaterThan(100)
    expect(new Set(cases.map((vector) => vector.group)).size).toBe(29)
  })

  const runtime = createCarrierRuntime(loadConfig({}), createSilentLogger())
  it.each(cases)('$group $number → $carrier ($expect)', (vector) => {
    expectDetection(runtime.detect(vector.number), vector)
  })
})

describe('GET /v1/carriers/detect and colis detect --json give the same answers', () => {
  let harness: MemoryHarness
  let key: string
  beforeAll(async () => {
    harness = await createMemoryHarness('detect-vectors', {})
    key = (await harness.apiKeys.create('shop-detect')).key
  })
  afterAll(() => harness.close())

  it('answers every vector through the API', async () => {
    for (const vector of cases) {
      const response = await harness.request(
        key,
        `/v1/carriers/detect?number=${encodeURIComponent(vector.number)}`,
      )
      expect(response.status).toBe(200)
      expectDetection((await response.json()) as Detection, vector)
    }
  })

  it('answers every vector through the CLI, exit 1 only when no carrier recognises it', async () => {
    for (const vector of cases) {
      const run = await runColis(['detect', vector.number, '--json'])
      const detection = JSON.parse(run.stdout) as Detection
      expectDetection(detection, vector)
      expect(run.code).toBe(detection.candidates.length > 0 ? 0 : 1)
    }
  })
})
