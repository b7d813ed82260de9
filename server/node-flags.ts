/**
 * Node flags the server runs with. V8 flags cannot be set from inside once
 * the heap exists, so every launcher passes them: package.json `start`, the
 * Makefile's `run` (node-flags.test.ts checks both), `make cluster`'s nodes
 * (ops/cluster-up.ts), the benchmarks' servers (bench/lib/servers.ts,
 * load.ts), and a launcher of one's own (README.md, Operating).
 *
 * --initial-old-space-size=128: V8 counts external memory (the ArrayBuffer
 * under every socket read and every received chunk, about three times the
 * bytes relayed) against the old generation's limit, and starts a full
 * mark-compact whenever what was allocated since the last one passes the
 * headroom under that limit. The server allocates few JS objects per chunk,
 * so the young collections that free those buffers cheaply seldom came first:
 * a browser upload set off a full collection every 5-10 MB (about 130 per
 * GiB, more than half the server's CPU at 1 GiB). A 128 MB floor under the
 * limit leaves them room: 0-1 full collection per GiB, peak RSS unchanged
 * (bench/RESULTS.md).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=128'];
