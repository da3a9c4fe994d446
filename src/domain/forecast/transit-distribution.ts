/**
 * An empirical distribution of transit times: `counts[k]` parcels arrived `k` business days after
 * handover. Everything here works on business-day indices; dates are the caller's business.
 */
export interface TransitHistogram {
  counts: number[]
  samples: number
}

/** The longest transit kept apart; slower parcels count in this last bucket. */
export const MAX_TRANSIT_DAYS = 40

export function emptyHistogram(): TransitHistogram {
  return { counts: [], samples: 0 }
}

export function addTransit(histogram: TransitHistogram, transitDays: number): void {
  const bucket = Math.min(Math.max(0, Math.round(transitDays)), MAX_TRANSIT_DAYS)
  while (histogram.counts.length <= bucket) histogram.counts.push(0)
  histogram.counts[bucket] = (histogram.counts[bucket] ?? 0) + 1
  histogram.samples++
}

/** Probabilities by business-day index, summing to 1; what is left once the days already past are dropped. */
export interface TransitDistribution {
  probabilities: number[]
  /** How many parcels the distribution rests on. */
  samples: number
}

/** The distribution of parcels that took at least `minimumDays`; undefined when none did. */
export function conditionOn(
  histogram: TransitHistogram,
  minimumDays: number,
): TransitDistribution | undefined {
  let samples = 0
  for (let k = minimumDays; k < histogram.counts.length; k++) samples += histogram.counts[k] ?? 0
  if (samples === 0) return undefined
  const probabilities = histogram.counts.map((count, k) => (k < minimumDays ? 0 : count / samples))
  return { probabilities, samples }
}

export interface TransitWindow {
  from: number
  to: number
  /** The most probable day inside the window. */
  mostLikely: number
  /** The window's mass under the distribution: at least the probability asked for. */
  mass: number
}

/**
 * The shortest run of whole days holding at least `probability` of the mass; among runs of that
 * length the one holding the most, then the earliest. Its most likely day is the most probable day
 * inside it (the earliest of equals), which is the mode unless a far, isolated peak was left out.
 */
export function shortestWindow(distribution: TransitDistribution, probability: number): TransitWindow {
  const p = distribution.probabilities
  // Sums of floats that should reach exactly `probability` may fall a hair short of it.
  const target = probability - 1e-9
  let best: TransitWindow | undefined
  for (let from = 0; from < p.length; from++) {
    if ((p[from] ?? 0) === 0) continue
    let mass = 0
    for (let to = from; to < p.length; to++) {
      mass += p[to] ?? 0
      if (mass < target) continue
      const width = to - from
      const bestWidth = best ? best.to - best.from : Number.POSITIVE_INFINITY
      if (width < bestWidth || (width === bestWidth && best && mass < best.mass - 1e-12)) {
        best = { from, to, mass, mostLikely: modeWithin(p, from, to) }
      }
      break
    }
  }
  if (!best) throw new RangeError('a distribution holds a mass of 1')
  return best
}

function modeWithin(p: number[], from: number, to: number): number {
  let mode = from
  for (let k = from + 1; k <= to; k++) if ((p[k] ?? 0) > (p[mode] ?? 0)) mode = k
  return mode
}

/** The mass of the days after `day`. */
export function massAfter(distribution: TransitDistribution, day: number): number {
  let mass = 0
  for (let k = Math.max(0, day + 1); k < distribution.probabilities.length; k++)
    mass += distribution.probabilities[k] ?? 0
  return Math.min(1, mass)
}
