import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runColis } from '../support/cli.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/laposte/${name}`, import.meta.url))

type Normalized = {
  carrier: string
  trackingNumber: string
  status: string
  events: Array<{ id: string; occurredAt: string; status: string; code: string; description: string }>
  estimatedDelivery?: string
}

describe.concurrent('colis normalize --carrier laposte', () => {
  it.each([
    ['colissimo-intl-delivered.json', 'delivered', 9],
    ['colissimo-intl-delivered.single-object.json', 'delivered', 9],
    ['sandbox-courrier-intl-DR1.json', 'info_received', 1],
    ['return-leg.json', 'returned_to_sender', undefined],
    ['pickup-ag1.json', 'available_for_pickup', undefined],
  ])('maps %s to %s', async (file, status, count) => {
    const run = await runColis(['normalize', '--carrier', 'laposte', '--file', fixture(file)])
    expect(run.code, run.stderr).toBe(0)
    const snapshot = JSON.parse(run.stdout) as Normalized
    expect(snapshot.carrier).toBe('laposte')
    expect(snapshot.status).toBe(status)
    if (count !== undefined) expect(snapshot.events).toHaveLength(count)
    for (const event of snapshot.events) expect(event.occurredAt).toMatch(/[+-]\d{2}:\d{2}$/)
  })

  it('reads stdin and prints one entry per parcel of a multi-id (207) answer', async () => {
    const { readFileSync } = await import('node:fs')
    const run = await runColis(['normalize', '--carrier', 'laposte'], {
      stdin: readFileSync(fixture('207-multi-assembled.json'), 'utf8'),
    })
    expect(run.code, run.stderr).toBe(0)
    const items = JSON.parse(run.stdout) as Array<Normalized | { error: { kind: string } }>
    expect(items).toHaveLength(2)
    expect(items[0]).toMatchObject({ trackingNumber: 'LU680211095FR', status: 'info_received' })
    expect(items[1]).toMatchObject({ error: { kind: 'invalid_number' } })
  })

  it.each([
    ['400-invalid-number.json', 'invalid_number'],
    ['404-returnCode104-spec-example.json', 'not_found'],
    ['401-gateway-unauthorized.json', 'unauthorized'],
    ['429-gateway-quota.json', 'rate_limited'],
  ])('exits 2 with a one-line reason for the error body %s', async (file, kind) => {
    const run = await runColis(['normalize', '--carrier', 'laposte', '--file', fixture(file)])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain(kind)
  })

  it('exits 2 with one line and no stack trace when the payload is not understood', async () => {
    const run = await runColis(['normalize', '--carrier', 'laposte'], {
      stdin: '<html>Site en maintenance</html>',
    })
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/unexpected_response/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('exits 2 with one line when the file cannot be read', async () => {
    const run = await runColis(['normalize', '--carrier', 'laposte', '--file', '/nope.json'])
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe('colis: cannot read /nope.json: ENOENT\n')
  })

  it('refuses an unknown carrier with exit 2', async () => {
    const run = await runColis(['normalize', '--carrier', 'hermes'], { stdin: '{}' })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/unknown carrier "hermes"/)
  })
})

const mondialRelay = fileURLToPath(
  new URL('../fixtures/mondialrelay/tracing-fr-in-transit.stub.xml', import.meta.url),
)

describe.concurrent('colis normalize --carrier mondialrelay, whose answer does not name its parcel', () => {
  const normalize = (...args: string[]) =>
    runColis(['normalize', '--carrier', 'mondialrelay', '--file', mondialRelay, ...args])

  it('keys the events on the parcel --number names', async () => {
    const [anonymous, named] = await Promise.all([normalize(), normalize('--number', '3123 4567')])
    expect(anonymous.code, anonymous.stderr).toBe(0)
    expect(named.code, named.stderr).toBe(0)
    const without = JSON.parse(anonymous.stdout) as Normalized
    const withNumber = JSON.parse(named.stdout) as Normalized
    expect(without).toMatchObject({ carrier: 'mondialrelay', trackingNumber: '', status: 'in_transit' })
    expect(withNumber).toMatchObject({
      carrier: 'mondialrelay',
      trackingNumber: '31234567',
      status: 'in_transit',
    })
    expect(withNumber.events.map((event) => event.code)).toEqual(without.events.map((event) => event.code))
    const ids = (snapshot: Normalized) => snapshot.events.map((event) => event.id)
    for (const id of ids(withNumber)) expect(ids(without)).not.toContain(id)
  })

  it("exits 2 with one line when --number is not one of the carrier's", async () => {
    const run = await normalize('--number', '12')
    expect(run.code).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(/^colis: 12: not a Mondial Relay tracking number/)
  })
})

const chronopost = (name: string) => fileURLToPath(new URL(`../fixtures/chronopost/${name}`, import.meta.url))
const generic = (name: string) => fileURLToPath(new URL(`../fixtures/generic/${name}`, import.meta.url))
const EXAMPLES = fileURLToPath(
  new URL('../../adapters/generic/examples/carriers.example.json', import.meta.url),
)

describe.concurrent('colis normalize --carrier chronopost', () => {
  it.each([
    ['trackSkybillV2-delivered-en.xml', 'delivered', 'D'],
    ['trackSkybillV2-live-fr-in-transit.xml', 'in_transit', 'IS'],
    ['pickup-point.xml', 'delivered', 'RI'],
  ])('maps %s to %s', async (file, status, lastCode) => {
    const run = await runColis(['normalize', '--carrier', 'chronopost', '--file', chronopost(file)])
    expect(run.code, run.stderr).toBe(0)
    const snapshot = JSON.parse(run.stdout) as Normalized
    expect(snapshot.status).toBe(status)
    expect(snapshot.events.at(-1)?.code).toBe(lastCode)
  })

  it('exits 2 for a SOAP error answer', async () => {
    const run = await runColis([
      'normalize',
      '--carrier',
      'chronopost',
      '--file',
      chronopost('trackSkybillV2-error-system.xml'),
    ])
    expect(run.code).toBe(2)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe.concurrent('colis normalize for definition-file carriers', () => {
  it.each([
    ['acme-html', 'acme-html-journey.html'],
    ['parcelapi-json', 'parcelapi-json-journey.json'],
  ])('reads a %s answer', async (carrier, file) => {
    const run = await runColis(['normalize', '--carrier', carrier, '--file', generic(file)], {
      env: { COLIS_CARRIERS_FILE: EXAMPLES },
    })
    expect(run.code, run.stderr).toBe(0)
    const snapshot = JSON.parse(run.stdout) as Normalized
    expect(snapshot.carrier).toBe(carrier)
    expect(snapshot.status).toBe('delivered')
  })

  it('stops with the path of the offending field when the definition file is bad', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const file = join(mkdtempSync(join(tmpdir(), 'colis-def-')), 'carriers.json')
    writeFileSync(file, JSON.stringify({ carriers: [{ id: 'Bad Id', name: 'x' }] }))
    const run = await runColis(['normalize', '--carrier', 'sandbox'], {
      env: { COLIS_CARRIERS_FILE: file },
      stdin: '{}',
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/carriers\[0\]\.id/)
    expect(run.stderr).toMatch(/carriers\[0\]\.request/)
  })
})
