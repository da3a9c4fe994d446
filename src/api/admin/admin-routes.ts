import type { BaseAdapter } from '@bull-board/api/baseAdapter'
import { Hono } from 'hono'
import { z } from 'zod'
import { type ApiKeyStore, KEY_ID_PATTERN, MERCHANT_PATTERN } from '../../store/api-key-store.js'
import { requireAdminToken } from '../middleware/admin-token.js'
import { ApiError } from '../problem.js'
import { QUEUE_BOARD_PATH, queueBoard } from './queue-board.js'

export interface AdminDeps {
  /** COLIS_ADMIN_TOKEN; without it no /admin route exists. */
  token: string
  apiKeys: Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>
  /** The queues of the dashboard; without them /admin/queues does not exist. */
  boardQueues?: () => readonly BaseAdapter[]
  now?: () => Date
}

export const CreateKeySchema = z.strictObject({
  merchantId: z
    .string()
    .regex(MERCHANT_PATTERN, '1 to 64 letters, digits, dots, dashes or underscores, and not `all`'),
  label: z.string().trim().min(1).max(100).optional(),
})
export const ListKeysQuerySchema = z.strictObject({
  merchantId: z.string().regex(MERCHANT_PATTERN).optional(),
})

function fieldErrors(error: z.ZodError) {
  return error.issues.map((issue) => ({
    pointer: `/${issue.path.map((part) => String(part).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`,
    detail: issue.message,
  }))
}

async function readJson(request: Request): Promise<unknown> {
  if (!/^application\/json\b/i.test(request.headers.get('content-type') ?? '')) {
    throw new ApiError('unsupported_media_type')
  }
  try {
    return await request.json()
  } catch {
    throw new ApiError('invalid_json')
  }
}

/**
 * `/admin`: API keys (create, list, revoke) and the queue dashboard, for the bearer of the admin
 * token only. `forget` drops a revoked key from this process's verification cache at once (other
 * processes hear of it through Redis pub/sub).
 */
export function adminRoutes(deps: AdminDeps, forget: (keyId: string) => void) {
  const app = new Hono<{ Variables: { requestId: string } }>()
  app.use('*', requireAdminToken(deps.token))

  app.post('/keys', async (c) => {
    const parsed = CreateKeySchema.safeParse(await readJson(c.req.raw))
    if (!parsed.success) {
      throw new ApiError('validation_failed', undefined, { errors: fieldErrors(parsed.error) })
    }
    const { merchantId, label } = parsed.data
    const created = await deps.apiKeys.create(merchantId, deps.now?.() ?? new Date(), { label })
    return c.json(created, 201)
  })

  app.get('/keys', async (c) => {
    const parsed = ListKeysQuerySchema.safeParse(c.req.query())
    if (!parsed.success) {
      throw new ApiError('validation_failed', undefined, { errors: fieldErrors(parsed.error) })
    }
    return c.json({ data: await deps.apiKeys.list(parsed.data) })
  })

  app.delete('/keys/:keyId', async (c) => {
    const keyId = c.req.param('keyId')
    // Checked before the store: the id goes into a Redis key name.
    if (!KEY_ID_PATTERN.test(keyId)) throw new ApiError('not_found', 'no such API key')
    const revoked = await deps.apiKeys.revoke(keyId, deps.now?.() ?? new Date())
    if (!revoked) throw new ApiError('not_found', `no API key ${keyId}`)
    forget(keyId)
    return c.json(revoked)
  })

  if (deps.boardQueues) app.route(QUEUE_BOARD_PATH.slice('/admin'.length), queueBoard(deps.boardQueues))
  return app
}
