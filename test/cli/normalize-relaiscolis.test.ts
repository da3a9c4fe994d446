import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runColis } from '../support/cli.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/relaiscolis/${name}`, import.meta.url))

type Normalized = { carrier: string; trackingNumber: string; status: string; events: Array<{ code: string }> }

describe.concurrent('colis normalize --carrier relaiscolis, colis detect', () => {
  it.each([
    ['getPackagesStatus-response.doc-example.json', '4H013000253201', 'info_received', ['APF']],
    [
      'relay-collected.json',
      '4H013000253201',
      'delivered',
      ['APF', 'AAR/AV', 'RST/1P', 'DEP/REL', 'SOL/LIV'],
    ],
    [
      'relay-returned.json',
      '4H013000011101',
      'returned_to_sender',
      ['APF', 'AAR/AV', 'DEP/REL', 'SOR/R2', 'APF/RDF'],
    ],
  ])('maps %s', async (file, trackingNumber, status, codes) => {
    const run = await runColis(['normalize', '--carrier', 'relaiscolis', '--file', fixture(file)])
    expect(run.code, run.stderr).toBe(0)
    const snapshot = JSON.parse(run.stdout) as Normalized
    expect(snapshot).toMatchObject({ carrier: 'relaiscolis', trackingNumber, status })
    expect(snapshot.events.map((event) => event.code)).toEqual(codes)
  })

  it('prints one entry per parcel of a multi-parcel answer', async () => {
    const run = await runColis([
      'normalize',
      '--carrier',
      'relaiscolis',
      '--file',
      fixture('multi-parcel.json'),
    ])
    expect(run.code, run.stderr).toBe(0)
    const items = JSON.parse(run.stdout) as Normalized[]
    expect(items.map((item) => [item.trackingNumber, item.status])).toEqual([
      ['4H091500000201', 'available_for_pickup'],
      ['4H091500000202', 'in_transit'],
    ])
  })

  it('exits 2 with a one-line reason for the error envelope', async () => {
    const run = await runColis([
      'normalize',
      '--carrier',
      'relaiscolis',
      '--file',
      fixture('error-400-doc-example.json'),
    ])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('unexpected_response')
  })

  it('detects a Relais Colis number, with its reason', async () => {
    const run = await runColis(['detect', '4H013000253201', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const detection = JSON.parse(run.stdout) as {
      winner: string
      candidates: Array<{ carrier: string; confidence: number; reason: string }>
    }
    expect(detection.winner).toBe('relaiscolis')
    expect(detection.candidates).toEqual([
      { carrier: 'relaiscolis', confidence: 0.6, reason: expect.stringMatching(/Relais Colis shape/) },
    ])
  })
})
