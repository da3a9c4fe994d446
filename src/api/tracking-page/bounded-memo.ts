/**
 * `compute` remembered by its key, for inputs that recur from page to page (carrier wordings, calendar
 * days); past `maxEntries` the memory starts over, so unusual inputs cannot make it grow without bound.
 */
export function boundedMemo<T>(compute: (key: string) => T, maxEntries: number): (key: string) => T {
  const known = new Map<string, T>()
  return (key) => {
    if (known.has(key)) return known.get(key) as T
    const value = compute(key)
    if (known.size >= maxEntries) known.clear()
    known.set(key, value)
    return value
  }
}
