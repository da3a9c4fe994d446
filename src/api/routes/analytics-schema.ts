import { z } from '@hono/zod-openapi'
import { GROUP_BY } from '../../domain/analytics/cell-summary.js'

const rate = (description: string) =>
  z.number().min(0).max(1).optional().describe(`${description}; absent when there is nothing to measure`)
const figure = (description: string) =>
  z.number().optional().describe(`${description}; absent when no parcel gave one`)

const sampledRate = (rateOf: string, sampleOf: string) =>
  z.object({
    rate: rate(rateOf),
    sample: z.number().int().min(0).describe(sampleOf),
  })

export const CarrierReportRowSchema = z
  .object({
    group: z
      .string()
      .describe(
        'The group: a carrier id, `carrier/service`, a destination (`FR-75`, `BE`…) or an ISO week; `*` for the totals',
      )
      .openapi({ example: 'sandbox' }),
    parcels: z.number().int().min(0).describe('Finished parcels: delivered, returned or expired'),
    delivered: z.number().int().min(0).describe('Parcels delivered'),
    returned: z.number().int().min(0).describe('Parcels returned to the sender'),
    expired: z.number().int().min(0).describe('Parcels colis stopped following without an end'),
    onTime: sampledRate(
      'Share delivered by the promised date',
      'Delivered parcels that had a promise: what the rate is measured on',
    ).describe('Delivered on time against the promise given at registration'),
    transitDays: z
      .object({
        p50: figure('Median'),
        p80: figure('80th percentile'),
        p95: figure('95th percentile'),
      })
      .describe("Handover (first carrier scan) to delivery, in the carrier's business days"),
    transitHours: z.object({ p50: figure('Median') }).describe('Handover to delivery, in hours'),
    firstAttempt: sampledRate(
      'Share delivered without a failed attempt first',
      'Delivered parcels: what the rate is measured on',
    ).describe('Delivered at the first attempt'),
    pickup: z
      .object({
        share: rate('Share of delivered parcels collected at a pickup point'),
        collectionHoursP50: figure('Median hours from arrival at the pickup point to collection'),
      })
      .describe('Pickup points (the share is measured on `delivered`)'),
    returnRate: rate('Returned parcels among all parcels (measured on `parcels`)'),
    exceptionRate: rate('Parcels with at least one exception among all parcels (measured on `parcels`)'),
    reportingLagHours: z
      .object({ p50: figure('Median'), p95: figure('95th percentile') })
      .describe("Hours from a carrier's scan to colis storing it, per event"),
  })
  .openapi('CarrierReportRow')

export const CarrierReportSchema = z
  .object({
    from: z.string().describe('First ISO week covered (inclusive)').openapi({ example: '2026-W01' }),
    to: z.string().describe('Last ISO week covered (inclusive)').openapi({ example: '2026-W12' }),
    groupBy: z.enum(GROUP_BY),
    rows: z
      .array(CarrierReportRowSchema)
      .describe('One row per group with parcels, sorted by group (weeks in time order)'),
    totals: CarrierReportRowSchema.describe('Every parcel the report covers, as one group `*`'),
  })
  .openapi('CarrierReport')
