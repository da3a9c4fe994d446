/** An app's `request` with a merchant's API key (and a JSON content type when a body is sent). */
export function requestWithKey(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  key: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${key}`)
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
  return Promise.resolve(app.request(path, { ...init, headers }))
}
