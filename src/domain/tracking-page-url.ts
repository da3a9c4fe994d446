/** Where tracking pages live, outside the API's `/v1`. */
export const TRACKING_PAGES_PATH = '/t'

/** The public page of the tracking whose token is `token`, as shoppers reach colis (PUBLIC_BASE_URL). */
export function trackingPageUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl}${TRACKING_PAGES_PATH}/${token}`
}
