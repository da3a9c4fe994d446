import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMemoryHarness, type MemoryHarness } from '../support/memory-harness.js'

/** A client as a merchant would write it against the generated types: register a parcel, read it back. */
const CLIENT = `import type { components, operations } from './colis-api.js'

type Problem = components['schemas']['Problem']
type Registration = operations['registerTracking']['requestBody']['content']['application/json']
type Registered = operations['registerTracking']['responses']['201']['content']['application/json']
type Tracking = operations['getTracking']['responses']['200']['content']['application/json']
type TrackingId = operations['getTracking']['parameters']['path']['id']

async function failure(response: Response): Promise<Error> {
  const problem = (await response.json()) as Problem
  return new Error(\`\${problem.status} \${problem.code}: \${problem.title} (request \${problem.requestId})\`)
}

export async function registerAndRead(
  baseUrl: string,
  apiKey: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ id: TrackingId; status: Tracking['status']; eventStatuses: string[] }> {
  const headers = { authorization: \`Bearer \${apiKey}\`, 'content-type': 'application/json' }
  const registration: Registration = { trackingNumber: 'SBXDELIVERED001', carrier: 'sandbox', orderId: 'A-1042' }
  const created = await fetchImpl(\`\${baseUrl}/v1/trackings\`, {
    method: 'POST',
    headers,
    body: JSON.stringify(registration),
  })
  if (created.status !== 201 && created.status !== 200) throw await failure(created)
  const registered = (await created.json()) as Registered
  const read = await fetchImpl(\`\${baseUrl}/v1/trackings/\${encodeURIComponent(registered.id)}\`, { headers })
  if (read.status !== 200) throw await failure(read)
  const tracking = (await read.json()) as Tracking
  return {
    id: tracking.id,
    status: tracking.status,
    eventStatuses: (tracking.events ?? []).map((event) => event.status),
  }
}
`

/** The same client with a mistake the generated types must catch. */
const WRONG_CLIENT = `import type { paths } from './colis-api.js'

type Registration = paths['/v1/trackings']['post']['requestBody']['content']['application/json']
export const registration: Registration = { trackingNumber: 6156, carier: 'sandbox' }
`

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: [],
  skipLibCheck: true,
}

/** The type errors of each file, from one program (the DOM library is loaded once). */
function typeErrors(files: string[]): string[][] {
  const program = ts.createProgram(files, COMPILER_OPTIONS)
  return files.map((file) =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
  )
}

describe('a TypeScript client generated from /openapi.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'colis-openapi-client-'))
  let harness: MemoryHarness

  beforeAll(async () => {
    harness = await createMemoryHarness('openapi-client')
    const spec = (await (await harness.app.request('/openapi.json')).json()) as OpenAPI3
    writeFileSync(join(dir, 'colis-api.ts'), astToString(await openapiTS(spec)))
    writeFileSync(join(dir, 'client.ts'), CLIENT)
    writeFileSync(join(dir, 'wrong-client.ts'), WRONG_CLIENT)
  })

  afterAll(async () => {
    await harness?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('typechecks a client that registers a parcel and reads it, and refuses a wrong one', () => {
    const [right, wrong] = typeErrors([join(dir, 'client.ts'), join(dir, 'wrong-client.ts')])
    expect(right).toEqual([])
    expect(wrong?.join('\n')).toMatch(/'number' is not assignable to type 'string'|carier/)
  })

  it('runs that client against the API', async () => {
    const compiled = ts.transpileModule(CLIENT, { compilerOptions: COMPILER_OPTIONS }).outputText
    const modulePath = join(dir, 'client.mjs')
    writeFileSync(modulePath, compiled)
    const client = (await import(pathToFileURL(modulePath).href)) as {
      registerAndRead(
        baseUrl: string,
        apiKey: string,
        fetchImpl: (url: string, init?: RequestInit) => Promise<Response>,
      ): Promise<{ id: string; status: string; eventStatuses: string[] }>
    }
    const { key } = await harness.apiKeys.create('shop-client')
    const tracking = await client.registerAndRead('http://colis.test', key, async (url, init) =>
      harness.app.request(url, init),
    )
    expect(tracking).toMatchObject({
      id: expect.stringMatching(/^trk_/),
      status: 'pending',
      eventStatuses: [],
    })
  })
})
