import type { PollView, SaveOutcome, TrackingSave, TrackingStore } from '../src/store/tracking-store.js'

/** Saves of one batch retried after a conflict (someone wrote the tracking meanwhile) at most this often. */
const MAX_CAS_ROUNDS = 3

/**
 * Saves one change per view by compare-and-set; a tracking written meanwhile (a poll, the alert sweep)
 * is read again and its change made anew from what it is now. Gives the views still conflicting after
 * the last round (none, nearly always); a tracking deleted meanwhile is dropped.
 */
export async function saveWithRetries<C extends TrackingSave>(
  store: TrackingStore,
  views: PollView[],
  /** The changes of a round, one per view, in order (made anew from what a conflicted tracking is now). */
  changesOf: (views: PollView[]) => C[],
  onSaved?: (changes: C[], outcomes: SaveOutcome[]) => void,
): Promise<PollView[]> {
  let pending = views
  for (let round = 0; round < MAX_CAS_ROUNDS && pending.length > 0; round++) {
    const changes = changesOf(pending)
    const outcomes = await store.save(changes)
    onSaved?.(changes, outcomes)
    const conflicted = pending.filter((_, index) => outcomes[index] === 'conflict')
    if (conflicted.length === 0) return []
    pending = (await store.loadForPoll(conflicted.map((view) => view.record.id))).filter(
      (view): view is PollView => view !== undefined,
    )
  }
  return pending
}
