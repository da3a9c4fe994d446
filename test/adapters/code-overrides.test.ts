import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CodeOverridesError,
  changedCarriers,
  loadCodeOverrides,
  NO_CODE_OVERRIDES,
  parseCodeOverrides,
} from '../../adapters/code-overrides.js'
import { createCarrierRuntime } from '../../adapters/registry.js'
import { SANDBOX_UNKNOWN_CODE } from '../../adapters/sandbox/scenarios.js'
import { loadConfig } from '../../src/config.js'
import { createSilentLogger } from '../../src/logger.js'

const CARRIERS = ['laposte', 'chronopost', 'sandbox']
const dir = mkdtempSync(join(tmpdir(), 'colis-code-overrides-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let files = 0
function overridesFile(content: unknown): string {
  const file = join(dir, `overrides-${++files}.json`)
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

function caught(run: () => unknown): CodeOverridesError {
  try {
    run()
  } catch (error) {
    if (error instanceof CodeOverridesError) return error
    throw error
  }
  throw new Error('no CodeOverridesError thrown')
}

describe('COLIS_CODE_OVERRIDES rules', () => {
  const rules = parseCodeOverrides(
    {
      laposte: {
        '/instance/': 'available_for_pickup',
        '/^colis livre/': 'delivered',
        '/livre/': 'in_transit',
        DI9: 'exception',
      },
      sandbox: {},
    },
    CARRIERS,
    'test.json',
  )

  it("maps a carrier's code by its own rule first, whatever its wording", () => {
    expect(rules.statusOf('laposte', 'DI9', 'Colis livré')).toBe('exception')
  })

  it('tries the patterns on the wording in file order, ignoring case and accents', () => {
    expect(rules.statusOf('laposte', 'ZZ1', 'Colis mis en INSTANCE au bureau')).toBe('available_for_pickup')
    expect(rules.statusOf('laposte', 'ZZ1', 'COLIS LIVRÉ à votre voisin')).toBe('delivered')
    expect(rules.statusOf('laposte', 'ZZ1', 'Votre colis sera livré demain')).toBe('in_transit')
    expect(rules.statusOf('laposte', 'ZZ1', 'Autre chose')).toBeUndefined()
  })

  it('leaves other carriers, and carriers given no rule, alone', () => {
    expect(rules.statusOf('chronopost', 'DI9', 'Colis livré')).toBeUndefined()
    expect(rules.covers('laposte')).toBe(true)
    expect(rules.covers('sandbox')).toBe(false)
    expect(rules.covers('chronopost')).toBe(false)
  })

  it('tells which carriers a reload changes: rules added, changed or removed', () => {
    const before = parseCodeOverrides(
      { laposte: { A: 'in_transit' }, chronopost: { TP: 'in_transit' } },
      CARRIERS,
      'a',
    )
    const after = parseCodeOverrides(
      { laposte: { A: 'in_transit' }, chronopost: { TP: 'exception' }, sandbox: { X: 'delivered' } },
      CARRIERS,
      'b',
    )
    expect(changedCarriers(before, after).sort()).toEqual(['chronopost', 'sandbox'])
    expect(changedCarriers(after, NO_CODE_OVERRIDES).sort()).toEqual(['chronopost', 'laposte', 'sandbox'])
    expect(changedCarriers(before, before)).toEqual([])
  })

  it.each([
    [{ acme: { X: 'delivered' } }, '"acme": no such carrier on this deployment'],
    [{ laposte: { X: 'livré' } }, '"laposte" → "X": "livré" is not an event status'],
    [{ laposte: { '/(/': 'delivered' } }, '"laposte" → "/(/": invalid regular expression'],
    [{ laposte: { ' X': 'delivered' } }, '"laposte" → " X": a code has no surrounding spaces'],
    [{ laposte: ['X'] }, '"laposte": expected record, got an array'],
    [[], 'expected record, got an array'],
  ])('refuses %j in one line naming the file and the rule', (json, issue) => {
    const error = caught(() => parseCodeOverrides(json, CARRIERS, '/etc/colis/codes.json'))
    expect(error.message).toContain('invalid code overrides in /etc/colis/codes.json: ')
    expect(error.message).toContain(issue)
    expect(error.message).not.toContain('\n')
  })

  it('refuses a missing file and a file that is not JSON', () => {
    expect(caught(() => loadCodeOverrides(join(dir, 'nope.json'), CARRIERS)).message).toMatch(
      /nope\.json: no such file$/,
    )
    expect(caught(() => loadCodeOverrides(overridesFile('{"laposte": '), CARRIERS)).message).toMatch(
      /not JSON/,
    )
  })
})

describe('the carrier runtime with COLIS_CODE_OVERRIDES', () => {
  const runtimeWith = (file: string | undefined, seen: Array<[string, string, string | undefined]> = []) =>
    createCarrierRuntime(
      loadConfig({ NODE_ENV: 'test', ...(file ? { COLIS_CODE_OVERRIDES: file } : {}) }),
      createSilentLogger(),
      {
        onUnknownCode: (carrier, code, description) => seen.push([carrier, code, description]),
      },
    )
  const statusesOf = async (runtime: ReturnType<typeof runtimeWith>) => {
    const snapshot = await runtime.get('sandbox')?.track({ trackingNumber: 'SBXUNKNOWNCODE001' })
    return Object.fromEntries((snapshot?.events ?? []).map((event) => [event.code, event.status]))
  }

  it('tells each unknown code with its wording, and maps it by the rules before the built-in table', async () => {
    const seen: Array<[string, string, string | undefined]> = []
    const plain = runtimeWith(undefined, seen)
    expect((await statusesOf(plain))[SANDBOX_UNKNOWN_CODE]).toBe('unknown')
    expect(seen).toEqual([['sandbox', SANDBOX_UNKNOWN_CODE, 'Transfert inter-sites']])

    seen.length = 0
    const file = overridesFile({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'in_transit', '/livré/': 'exception' } })
    const overridden = runtimeWith(file, seen)
    const statuses = await statusesOf(overridden)
    expect(statuses[SANDBOX_UNKNOWN_CODE]).toBe('in_transit')
    // A pattern changes a code the built-in table maps too ("Colis livré", SBX_DELIVERED).
    expect(statuses.SBX_DELIVERED).toBe('exception')
    expect(statuses.SBX_LABEL).toBe('info_received')
    // Still a code the carrier's table lacks: it stays listed, with the rule beside it.
    expect(seen).toEqual([['sandbox', SANDBOX_UNKNOWN_CODE, 'Transfert inter-sites']])
    expect(overridden.codeOverride('sandbox', SANDBOX_UNKNOWN_CODE, [])).toBe('in_transit')
    expect(overridden.codeOverride('sandbox', 'OTHER', ['Colis livré'])).toBe('exception')
    expect(overridden.codeOverride('sandbox', 'OTHER', ['Autre'])).toBeUndefined()
  })

  it('applies the rules to what `parse` reads too (colis normalize)', () => {
    const runtime = runtimeWith(overridesFile({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'exception' } }))
    const body = JSON.stringify({
      trackingNumber: 'SBXUNKNOWNCODE001',
      events: [{ code: SANDBOX_UNKNOWN_CODE, label: 'Transfert', at: '2026-03-27T10:00:00+01:00' }],
    })
    const [entry] = runtime.get('sandbox')?.parse(body) ?? []
    expect(entry && 'events' in entry ? entry.events[0]?.status : entry).toBe('exception')
  })

  it('reloads the rules, naming the carriers they change; an invalid file leaves the running rules', async () => {
    const file = overridesFile({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'in_transit' } })
    const runtime = runtimeWith(file)
    writeFileSync(file, JSON.stringify({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'exception' }, laposte: {} }))
    expect(runtime.reloadCodeOverrides()).toEqual({ changed: ['sandbox'] })
    expect((await statusesOf(runtime))[SANDBOX_UNKNOWN_CODE]).toBe('exception')

    writeFileSync(file, JSON.stringify({ sandbox: { [SANDBOX_UNKNOWN_CODE]: 'dispatched' } }))
    expect(() => runtime.reloadCodeOverrides()).toThrow(CodeOverridesError)
    expect((await statusesOf(runtime))[SANDBOX_UNKNOWN_CODE]).toBe('exception')
  })

  it('refuses to start on an invalid file', () => {
    expect(() => runtimeWith(overridesFile({ sandbox: { X: 'lost' } }))).toThrow(CodeOverridesError)
  })
})
