import { describeLateParcelWebhooks } from './late-parcel-webhooks.js'

describeLateParcelWebhooks(
  'a late parcel: alert.opened, then delivered: alert.resolved and status_changed, each exactly once',
)
