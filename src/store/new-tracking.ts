import { randomBytes } from 'node:crypto'
import type { TrackingRecord } from '../domain/tracking.js'
import type { NewTracking } from './tracking-store.js'

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Unpredictable ids (OWASP API1): a tracking id reveals nothing and cannot be guessed. */
export function createId(prefix: string, length = 20): string {
  let id = ''
  for (const byte of randomBytes(length)) id += BASE62[byte % 62]
  return `${prefix}_${id}`
}

/** A tracking as registration creates it, before any poll: every store starts from this record. */
export function newTrackingRecord(input: NewTracking, createdAt: string): TrackingRecord {
  return {
    id: createId('trk'),
    ...input,
    status: 'pending',
    createdAt,
    updatedAt: createdAt,
    lastNewEventAt: createdAt,
    nextCheckAt: createdAt,
    notFoundCount: 0,
    failureCount: 0,
    sequence: 0,
    alerts: [],
  }
}
