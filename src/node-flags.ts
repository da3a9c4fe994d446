/**
 * Node flags colis runs with (`npm start`, the Docker image's CMD, the benchmark's processes).
 *
 * A poll allocates many short-lived objects (the carrier's JSON, the mapped events, the record and its
 * Redis arguments). With Node 20's 16 MB semi-spaces V8 scavenged about 58 times per 20 000 polls; with
 * 32 MB, 28 times, and scavenging fell from 18–28 to 12–16 µs a poll, for about 50 MB more resident
 * memory (`bench/poll-gc.ts`, BENCHMARKS.md figure 1). Node 24 sizes the young generation itself (64 MB
 * semi-spaces on a 24 GB host): the flag makes it the same on every Node and host.
 */
export const NODE_FLAGS = ['--max-semi-space-size=32'] as const
