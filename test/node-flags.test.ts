import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { NODE_FLAGS } from '../src/node-flags.js'

const scripts = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>
  }
).scripts

/** The largest the young generation grows to in a process started with `flags`, in MB. */
function youngGenerationMaxMb(flags: readonly string[]): number {
  const churn = `
    const v8 = require('node:v8'); let keep = []; let max = 0
    for (let i = 0; i < 2e6; i++) {
      keep.push({ i, s: 'x' + i }); if (keep.length > 200000) keep = []
      if (i % 10000 === 0) max = Math.max(max, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)
    }
    process.stdout.write(String(max / 2 ** 20))`
  const run = spawnSync(process.execPath, [...flags, '-e', churn], { encoding: 'utf8' })
  expect(run.stderr).toBe('')
  return Number(run.stdout)
}

describe('Node flags', () => {
  it('are those `npm start` and `npm run bench` run with (the Dockerfile test checks its CMD)', () => {
    expect(scripts.start).toBe(`node ${NODE_FLAGS.join(' ')} bin/colis.js serve`)
    expect(scripts.bench).toBe(`node ${NODE_FLAGS.join(' ')} --import tsx bench/run.ts`)
  })

  it('give a busy process 32 MB semi-spaces (a 64 MB young generation) whatever the Node version', () => {
    expect(youngGenerationMaxMb(NODE_FLAGS)).toBe(64)
  })
})
