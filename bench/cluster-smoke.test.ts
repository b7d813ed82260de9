/**
 * The smoke run of bench/cluster.ts, in a file of its own: it stands up Redis,
 * Swift, HAProxy and several nodes, too many processes to run beside the
 * other benchmarks' smoke runs on a small machine.
 */
import { it } from 'node:test';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"cluster" reports positive numbers for every case and variant', async () => {
  await checkSmokeRun(benchmark('cluster'));
});
