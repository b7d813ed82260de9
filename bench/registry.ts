/**
 * Every benchmark `make bench` runs, in order. Adding one is one line here
 * plus its file: `bench/<name>.ts`, ending with `await benchMain({...})`
 * (lib/cli.ts), so that it supports --smoke and --child, runs its baseline in
 * the same run, and reports rows with positive medians. bench.test.ts (and
 * `<name>-smoke.test.ts` for a cluster one) runs the smoke mode of each entry
 * inside `make test`.
 */
export interface BenchmarkEntry {
  name: string;
  /** Relative to bench/. */
  file: string;
  /** Stands up Redis, Swift, HAProxy and several nodes: its smoke run has a test file of its own, `<name>-smoke.test.ts`. */
  cluster?: true;
}

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  { name: 'relay', file: 'relay.ts' },
  { name: 'http', file: 'http.ts' },
  { name: 'transfer', file: 'transfer.ts' },
  { name: 'fanout', file: 'fanout.ts' },
  { name: 'connections', file: 'connections.ts' },
  { name: 'reconnect', file: 'reconnect.ts' },
  { name: 'cluster', file: 'cluster.ts', cluster: true },
  { name: 'failover', file: 'failover.ts', cluster: true },
];
