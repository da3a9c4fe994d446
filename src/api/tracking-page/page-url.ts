export { TRACKING_PAGES_PATH, trackingPageUrl } from '../../domain/tracking-page-url.js'
