/**
 * The smoke run of bench/browser.ts (4 MiB, one run of each variant, two
 * Chromiums per run), in a file of its own. Besides the figures, the app's
 * run checks the downloaded file's SHA-256 and fails without it.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { benchmark, checkSmokeRun } from './lib/smoke-check.ts';

it('"browser" reports positive numbers for every case and variant', async () => {
  const { row } = await checkSmokeRun(benchmark('browser'));
  // The processes were found: the renderers and browser processes of both devices used memory.
  const app = row('4 MiB', 'sharethings');
  for (const figure of ['aRendererPeakMiB', 'aBrowserPeakMiB', 'bRendererPeakMiB', 'bBrowserPeakMiB', 'serverPeakMiB']) {
    assert.ok((app.details[figure] ?? 0) > 0, `${figure}: ${app.details[figure]}`);
  }
  // B saved through the service worker's stream, not a Blob.
  assert.equal(app.details.streamedSave, 1);
});
