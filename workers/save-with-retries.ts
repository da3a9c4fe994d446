import type { PollView, PollWrite, SaveOutcome, TrackingStore } from '../src/store/tracking-store.js'

/** Saves of one batch retried after a conflict (someone wrote the tracking meanwhile) at most this often. */
const MAX_CAS_ROUNDS = 3

/**
 * Saves one write per view by compare-and-set; a tracking written meanwhile (a poll, the alert sweep)
 * is read again and its write made anew from what it is now. Gives the views still conflicting after
 * the last round (none, nearly always); a tracking deleted meanwhile is dropped.
 */
export async function saveWithRetries(
  store: TrackingStore,
  views: PollView[],
  /** The writes of a round, one per view, in order (made anew from what a conflicted tracking is now). */
  writesOf: (views: PollView[]) => PollWrite[],
  onSaved?: (writes: PollWrite[], outcomes: SaveOutcome[]) => void,
): Promise<PollView[]> {
  let pending = views
  for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
    const writes = writesOf(pending)
    const outcomes = await store.savePolls(writes)
    onSaved?.(writes, outcomes)
    const conflicted = pending.filter((_, index) => outcomes[index] === 'conflict')
    if (conflicted.length === 0) return []
    pending = (await store.loadForPoll(conflicted.map((view) => view.record.id))).filter(
      (view): view is PollView => view !== undefined,
    )
  }
  return pending
}
