/**
 * The smoke run of bench/failover.ts, in a file of its own: it stands up Redis,
 * Swift, HAProxy and several nodes, too many processes to run beside the
 * other benchmarks' smoke runs on a small machine. The run fails by itself
 * when a client stays stuck or an acknowledged item is lost.
 */
import { it } from 'node:test';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"failover" reports positive numbers for every case and variant', async () => {
  await checkSmokeRun(benchmark('failover'));
});
