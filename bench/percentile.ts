/** The value below which `share` of the sorted `values` lie (nearest rank); NaN of none. */
export function percentileOf(sorted: ArrayLike<number>, share: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number
}
