/** Where a value sits in a parsed JSON document: keys and indexes from the root. */
export type JsonPath = (string | number)[]

/** Every path of a parsed JSON document, the root included, parents before their children. */
export function listJsonPaths(value: unknown, path: JsonPath = []): JsonPath[] {
  if (Array.isArray(value)) {
    return [path, ...value.flatMap((item, index) => listJsonPaths(item, [...path, index]))]
  }
  if (value !== null && typeof value === 'object') {
    return [path, ...Object.entries(value).flatMap(([key, item]) => listJsonPaths(item, [...path, key]))]
  }
  return [path]
}

/** Stands for "remove what is at the path" in `mutateJsonAt`. */
export const REMOVE = Symbol('remove')

/** A copy of `root` with `replacement` at `path` (or the value there removed); `root` is left as it is. */
export function mutateJsonAt(root: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? null : replacement
  const copy = structuredClone(root) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path.at(-1) as string | number
  if (replacement !== REMOVE) parent[last] = replacement
  else if (Array.isArray(parent)) parent.splice(Number(last), 1)
  else delete parent[last]
  return copy
}
