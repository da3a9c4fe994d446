import { describe, expect, it } from 'vitest'
import { runColis } from '../support/cli.js'

describe.concurrent('colis detect', () => {
  it('prints ranked candidates as JSON', async () => {
    const run = await runColis(['detect', 'XG953488284JB', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const detection = JSON.parse(run.stdout) as { winner: string; candidates: Array<{ carrier: string }> }
    expect(detection.winner).toBe('chronopost')
    expect(detection.candidates.map((candidate) => candidate.carrier)).toEqual(['chronopost', 'laposte'])
  })

  it('says why a number is refused, and exits 1', async () => {
    const run = await runColis(['detect', 'RB123456786US'])
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/no carrier of this deployment recognises it/)
    expect(run.stdout).toMatch(/S10 check digit is 6, expected 5/)
  })

  it('exits 1 with --json too when no carrier recognises the number', async () => {
    const run = await runColis(['detect', 'hello', '--json'])
    expect(run.code).toBe(1)
    expect(JSON.parse(run.stdout)).toMatchObject({ candidates: [] })
  })
})
