/**
 * Keeps the benchmarks from rotting: every registered benchmark has its smoke
 * run in `bench/<name>-smoke.test.ts` (tiny sizes, seconds), one file each so
 * that no file comes near the per-file timeout on a busy machine. This checks
 * that none is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BENCHMARKS } from './registry.ts';

test('every registered benchmark has a smoke test file that runs it', async () => {
  for (const entry of BENCHMARKS) {
    const file = new URL(`./${entry.name}-smoke.test.ts`, import.meta.url);
    const source = await readFile(file, 'utf8').catch(() => '');
    assert.match(source, new RegExp(`checkSmokeRun\\(benchmark\\('${entry.name}'\\)`), `bench/${entry.name}-smoke.test.ts does not run the "${entry.name}" smoke run`);
  }
});
