import { describe, expect, it } from 'vitest'
import { createWorkerApp } from '../../src/api/worker-app.js'
import { createLogger } from '../../src/logger.js'

describe('HTTP surface of a worker process', () => {
  const lines: Array<Record<string, unknown>> = []
  const app = createWorkerApp({
    pingRedis: async () => {},
    logger: createLogger('debug', {}, { destination: { write: (line) => lines.push(JSON.parse(line)) } }),
  })

  it('answers every request with a request id and logs it, problems included', async () => {
    for (const [path, status] of [
      ['/readyz', 200],
      ['/v1/trackings', 404],
    ] as const) {
      const response = await app.request(path)
      expect(response.status).toBe(status)
      const requestId = response.headers.get('x-request-id')
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
      if (status === 404) {
        expect(response.headers.get('content-type')).toBe('application/problem+json')
        expect(await response.json()).toMatchObject({ code: 'route_not_found', requestId })
      }
      expect(lines).toContainEqual(expect.objectContaining({ requestId, path, status }))
    }
  })
})
