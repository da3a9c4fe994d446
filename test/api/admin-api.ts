import { expect } from 'vitest'

export const TOKEN = 'admin-token-0123456789abcdef0123456789'
export const KEY_FORMAT = /^colis_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
})

export async function expectProblem(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  const body = (await response.json()) as { code: string; status: number; requestId: string }
  expect(body).toMatchObject({ code, status })
  return body
}

/** Requests to an app's `/admin` with the admin token (unless told another authorization). */
export function adminClient(
  app: () => { request(path: string, init: RequestInit): Response | Promise<Response> },
) {
  const admin = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${TOKEN}`)
    if (init.body) headers.set('content-type', 'application/json')
    return Promise.resolve(app().request(path, { ...init, headers }))
  }
  const createKey = async (merchantId: string, label?: string) => {
    const response = await admin('/admin/keys', {
      method: 'POST',
      body: JSON.stringify({ merchantId, label }),
    })
    expect(response.status).toBe(201)
    return (await response.json()) as { keyId: string; merchantId: string; key: string; createdAt: string }
  }
  return { admin, createKey }
}
