/**
 * The fields docs/api.md documents for a tracking (`GET /v1/trackings/{id}`, webhook payloads); nothing else
 * may leave colis.
 */
export const DOCUMENTED_TRACKING_FIELDS: readonly string[] = [
  'id',
  'carrier',
  'trackingNumber',
  'status',
  'events',
  'alerts',
  'service',
  'product',
  'estimatedDelivery',
  'estimatedDeliveryWindow',
  'promisedDeliveryDate',
  'deliveredAt',
  'consumerDeadlines',
  'destinationCountry',
  'destinationPostalCode',
  'orderId',
  'metadata',
  'createdAt',
  'updatedAt',
  'lastCheckedAt',
  'nextCheckAt',
  'pollingStopped',
  'lastError',
  'trackingPageUrl',
  'deliveryForecast',
]
