/** The variables every API request carries, set by the request-id and authentication middleware. */
export type ApiEnv = { Variables: { requestId: string; merchantId: string; apiKeyId: string } }
