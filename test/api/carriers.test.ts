import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILTIN_CARRIER_IDS } from '../../adapters/registry.js'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'

/** Two definition-file carriers whose number patterns overlap: detection must not pick one. */
function overlappingCarriers() {
  const carrier = (id: string) => ({
    id,
    name: id,
    numbers: { pattern: 'ZZ[0-9]{8}' },
    request: { url: `https://${id}.example/track/{trackingNumber}` },
    response: { kind: 'json' },
    extraction: { events: 'events', fields: { description: 'label', date: 'at' } },
    dates: { formats: ['iso'] },
    statusMapping: { patterns: [{ pattern: 'livr', status: 'delivered' }] },
  })
  return { carriers: [carrier('zz-one'), carrier('zz-two')] }
}

describe('carriers API', () => {
  let harness: MemoryHarness
  let key: string
  const dir = mkdtempSync(join(tmpdir(), 'colis-carriers-'))

  beforeAll(async () => {
    const file = join(dir, 'carriers.json')
    writeFileSync(file, JSON.stringify(overlappingCarriers()))
    harness = await createMemoryHarness('carriers-api', { COLIS_CARRIERS_FILE: file })
    key = (await harness.apiKeys.create('shop-carriers')).key
  })

  afterAll(async () => {
    await harness.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = (body: object) =>
    harness.request(key, '/v1/trackings', { method: 'POST', body: JSON.stringify(body) })

  it('lists every carrier of the deployment with what it can do and its recent failures', async () => {
    const response = await harness.request(key, '/v1/carriers')
    expect(response.status).toBe(200)
    const { data } = (await response.json()) as { data: Array<Record<string, unknown>> }
    // Built-in carriers first, in the registry's order, then the definition file's.
    expect(BUILTIN_CARRIER_IDS).toEqual(expect.arrayContaining(['laposte', 'chronopost', 'sandbox']))
    expect(data.map((carrier) => carrier.id)).toEqual([...BUILTIN_CARRIER_IDS, 'zz-one', 'zz-two'])
    expect(data[0]).toEqual({
      id: 'laposte',
      name: 'La Poste (Colissimo, Lettre suivie, Chronopost)',
      batchSize: 10,
      rateLimit: { max: 10, durationMs: 1000 },
      needsCredentials: true,
      configured: true,
      recentFailures: {},
    })
  })

  it('says which source DPD France reads: without credentials, its public page, best-effort', async () => {
    const { data } = (await (await harness.request(key, '/v1/carriers')).json()) as {
      data: Array<Record<string, unknown>>
    }
    expect(data.find((carrier) => carrier.id === 'dpd')).toMatchObject({
      needsCredentials: false,
      configured: true,
      source: { name: expect.stringContaining('trace.dpd.fr'), bestEffort: true },
    })
    expect(data.find((carrier) => carrier.id === 'chronopost')).not.toHaveProperty('source')
  })

  it('counts recent failures by kind', async () => {
    const health = harness.carrierHealth
    await health.recordFailure('chronopost', 'unexpected_response')
    await health.recordFailure('chronopost', 'unexpected_response')
    await health.recordFailure('chronopost', 'unavailable', Date.now() - 3 * 3_600_000)
    await health.recordFailure('chronopost', 'unavailable', Date.now() - 30 * 3_600_000)
    const { data } = (await (await harness.request(key, '/v1/carriers')).json()) as {
      data: Array<{ id: string; recentFailures: Record<string, number> }>
    }
    expect(data.find((carrier) => carrier.id === 'chronopost')?.recentFailures).toEqual({
      unexpected_response: 2,
      unavailable: 1,
    })
  })

  it('detects ranked candidates with reasons', async () => {
    const response = await harness.request(key, '/v1/carriers/detect?number=xy%20746%20876%20977%20fr')
    expect(response.status).toBe(200)
    const detection = (await response.json()) as {
      trackingNumber: string
      winner: string
      candidates: Array<{ carrier: string; confidence: number; reason: string }>
    }
    expect(detection.trackingNumber).toBe('XY746876977FR')
    expect(detection.winner).toBe('chronopost')
    expect(detection.candidates.map((candidate) => candidate.carrier)).toEqual(['chronopost', 'laposte'])
  })

  it('requires a number to detect', async () => {
    const response = await harness.request(key, '/v1/carriers/detect')
    expect(response.status).toBe(400)
    expect(((await response.json()) as { code: string }).code).toBe('validation_failed')
  })

  it('registers without a carrier when one clearly wins', async () => {
    const response = await post({ trackingNumber: '89108749065090' })
    expect(response.status).toBe(201)
    expect(((await response.json()) as { carrier: string }).carrier).toBe('chronopost')
    const laposte = await post({ trackingNumber: 'ew112720413fr' })
    expect(((await laposte.json()) as { carrier: string }).carrier).toBe('laposte')
  })

  it('answers 422 listing the candidates when several carriers could track the number', async () => {
    const response = await post({ trackingNumber: 'ZZ12345678' })
    expect(response.status).toBe(422)
    const problem = (await response.json()) as { code: string; candidates: Array<{ carrier: string }> }
    expect(problem.code).toBe('ambiguous_carrier')
    expect(problem.candidates.map((candidate) => candidate.carrier).sort()).toEqual(['zz-one', 'zz-two'])
    const chosen = await post({ trackingNumber: 'ZZ12345678', carrier: 'zz-two' })
    expect(chosen.status).toBe(201)
  })

  it('answers 422 unknown format, with the check-digit reason when there is one', async () => {
    const unknown = await post({ trackingNumber: 'HELLO-WORLD' })
    expect(unknown.status).toBe(422)
    expect(((await unknown.json()) as { code: string }).code).toBe('unknown_tracking_number_format')
    const badCheck = await post({ trackingNumber: 'EW112720414FR' })
    const problem = (await badCheck.json()) as { code: string; detail: string }
    expect(problem.code).toBe('unknown_tracking_number_format')
    expect(problem.detail).toBe('S10 check digit is 4, expected 3')
  })
})
