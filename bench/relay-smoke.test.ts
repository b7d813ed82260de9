/** The smoke run of bench/relay.ts (each benchmark's in a file of its own, so each file stays well within the per-file timeout). */
import { it } from 'node:test';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"relay" reports positive numbers for every case and variant', async () => {
  await checkSmokeRun(benchmark('relay'));
});
