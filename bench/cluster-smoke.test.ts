/**
 * The smoke run of bench/cluster.ts, in a file of its own: it stands up Redis,
 * Swift, HAProxy and several nodes, too many processes to run beside the
 * other benchmarks' smoke runs on a small machine.
 */
import { it } from 'node:test';
import { checkSmokeRun } from './lib/smoke-check.ts';
import { BENCHMARKS } from './registry.ts';

it('"cluster" reports positive numbers for every case and variant', () => checkSmokeRun(BENCHMARKS.find((e) => e.name === 'cluster')!));
