import { expect } from 'vitest'
import { laPoste13CheckDigit } from '../../adapters/number-formats.js'

/** The trackings API's answers, as its tests read them (on memory stores and on Redis alike). */
export const NUMBER = '8K00009775862'

export interface Problem {
  type: string
  title: string
  status: number
  code: string
  detail?: string
  instance?: string
  requestId: string
  errors?: Array<{ pointer: string; detail: string }>
  [key: string]: unknown
}

export interface TrackingBody {
  id: string
  trackingNumber: string
  carrier: string
  status: string
  events?: unknown[]
  [key: string]: unknown
}

/** A valid La Poste 13-character number for a serial. */
export function laPosteNumber(serial: number): string {
  const digits = String(serial).padStart(10, '0')
  return `6A${digits}${laPoste13CheckDigit(digits)}`
}

export async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/)
  const body = (await response.json()) as Problem
  expect(body).toMatchObject({ status, code, type: `urn:colis:problem:${code}` })
  expect(body.title).toEqual(expect.any(String))
  expect(body.requestId).toEqual(expect.any(String))
  expect(body.requestId.length).toBeGreaterThan(0)
  expect(response.headers.get('x-request-id')).toBe(body.requestId)
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.ts:\d+/)
  return body
}
