/**
 * Every benchmark `make bench` runs, in order. Adding one is one line here
 * plus its file: `bench/<name>.ts`, ending with `await benchMain({...})`
 * (lib/cli.ts), so that it supports --smoke and --child, runs its baseline in
 * the same run, and reports rows with positive medians. `<name>-smoke.test.ts`
 * runs the smoke mode of each entry inside `make test` (one file each, so no
 * file nears the per-file timeout); bench.test.ts checks none is missing.
 */
export interface BenchmarkEntry {
  name: string;
  /** Relative to bench/. */
  file: string;
}

export const BENCHMARKS: readonly BenchmarkEntry[] = [
  { name: 'relay', file: 'relay.ts' },
  { name: 'http', file: 'http.ts' },
  { name: 'transfer', file: 'transfer.ts' },
  { name: 'fanout', file: 'fanout.ts' },
  { name: 'connections', file: 'connections.ts' },
  { name: 'reconnect', file: 'reconnect.ts' },
  { name: 'cluster', file: 'cluster.ts' },
  { name: 'failover', file: 'failover.ts' },
  { name: 'browser', file: 'browser.ts' },
];
