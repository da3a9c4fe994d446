/**
 * Node flags colis runs with (`npm start`, the Docker image's CMD, the benchmark's processes).
 *
 * A poll allocates many short-lived objects (the carrier's JSON, the mapped events, the record and its
 * Redis arguments): a larger young generation collects them less often, for a little more memory, and
 * the flag makes it the same on every Node version and host. Measurements: BENCHMARKS.md, "Node flags".
 */
export const NODE_FLAGS = ['--max-semi-space-size=32'] as const
