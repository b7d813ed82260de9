/** Unit tests of the benchmark helpers that need no processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseProfile } from './lib/cpuprofile.ts';
import { formatSize, formatTable, parseSize } from './lib/format.ts';
import { addRatios, makeRow } from './lib/report.ts';
import { median, percentile, rotate } from './lib/stats.ts';
import { cpuSeconds, peakRssBytes } from './lib/sysinfo.ts';

test('median and percentiles interpolate between ranks', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(percentile([1, 2, 3, 4, 5], 0), 1);
  assert.equal(percentile([1, 2, 3, 4, 5], 100), 5);
  assert.equal(percentile([10, 20], 90), 19);
  assert.throws(() => median([]));
  assert.deepEqual(rotate(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
  assert.deepEqual(rotate(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
});

test('sizes parse and print in binary units', () => {
  assert.equal(parseSize('64k'), 65_536);
  assert.equal(parseSize('256KiB'), 262_144);
  assert.equal(parseSize('1m'), 1_048_576);
  assert.equal(parseSize('4096'), 4096);
  assert.throws(() => parseSize('12 parsecs'));
  assert.throws(() => parseSize('0'));
  assert.equal(formatSize(262_144), '256 KiB');
  assert.equal(formatSize(1_048_576), '1 MiB');
});

test('ratios compare each row with the baseline of its case', () => {
  const rows = addRatios([
    makeRow({ case: 'a', variant: 'base', unit: 'x', runs: [10, 30, 20], baseline: true, details: {}, detailText: '' }),
    makeRow({ case: 'a', variant: 'v', unit: 'x', runs: [5, 5, 5], baseline: false, details: {}, detailText: '' }),
    makeRow({ case: 'b', variant: 'v', unit: 'x', runs: [1], baseline: false, details: {}, detailText: '' }),
  ]);
  assert.deepEqual(rows.map((row) => [row.median, row.ratio]), [[20, 1], [5, 0.25], [1, null]]);
});

test('tables pad columns', () => {
  assert.equal(formatTable(['a', 'bb'], [['xxx', '1']], ['left', 'right']), 'a    bb\n---  --\nxxx   1');
});

test('CPU profiles are summarised by self and inclusive time, optionally within time windows', () => {
  const frame = (functionName: string, url = 'file:///x/app.js') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
      { id: 2, callFrame: frame('outer'), children: [3] },
      { id: 3, callFrame: frame('inner') },
      { id: 4, callFrame: frame('(idle)', '') },
    ],
    startTime: 1000,
    endTime: 1600,
    // Samples at 1100, 1200, 1300, 1400, 1500; each costs the next delta (100 µs).
    samples: [3, 3, 2, 4, 3],
    timeDeltas: [100, 100, 100, 100, 100],
  };
  const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);
  const all = summariseProfile(profile);
  const byName = (name: string) => all.functions.find((f) => f.name === name)!;
  close(all.busyMs, 0.4);
  close(byName('inner').selfMs, 0.3);
  close(byName('outer').selfMs, 0.1);
  close(byName('outer').totalMs, 0.4);
  const windowed = summariseProfile(profile, [[1150, 1350]]);
  close(windowed.busyMs, 0.2);
  close(windowed.wallMs, 0.2);
});

test('peak RSS and CPU time of a live process come from /proc', { skip: process.platform !== 'linux' }, () => {
  assert.ok(peakRssBytes(process.pid)! > 1024 * 1024);
  assert.ok(cpuSeconds(process.pid)! > 0);
  assert.equal(peakRssBytes(2 ** 22 + 12_345), undefined);
});
