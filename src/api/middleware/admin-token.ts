import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../problem.js'
import { presentedToken, tokenMatches } from './bearer-token.js'

/**
 * COLIS_ADMIN_TOKEN, as `Authorization: Bearer <token>` or the password of a browser's login prompt;
 * anything else is 401 `admin_unauthorized`. Operator answers are not cached.
 */
export function requireAdminToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (!tokenMatches(presentedToken(c.req.header('authorization')), token)) {
      throw new ApiError(
        'admin_unauthorized',
        'send the admin token as "Authorization: Bearer <token>", or as the password at the browser login prompt',
      )
    }
    c.header('cache-control', 'no-store')
    await next()
  }
}
