/** The cases every RateCounterFactory must pass, run against each backend (memory, Redis). */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { RateCounterFactory } from './rate-counter.ts';

/** Whole seconds: Redis keeps windows in seconds. */
const WINDOW_MS = 1000;

export function rateCounterContract(backend: string, open: (t: TestContext) => Promise<RateCounterFactory>, options: { skip?: string | false } = {}): void {
  const it = (name: string, body: (counters: RateCounterFactory) => Promise<void>) =>
    test(`${backend}: ${name}`, { skip: options.skip ?? false }, async (t) => body(await open(t)));

  it('a key is allowed up to its limit, then refused with the time left in its window, and allowed again after it', async (counters) => {
    const counter = counters('joins', 3, WINDOW_MS);
    for (let i = 0; i < 3; i++) assert.equal((await counter.hit('addr')).allowed, true, `hit ${i + 1}`);
    const refused = await counter.hit('addr');
    assert.equal(refused.allowed, false);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= WINDOW_MS, `retry after ${refused.retryAfterMs}`);
    assert.equal((await counter.hit('other')).allowed, true, 'keys are counted apart');
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 50));
    assert.equal((await counter.hit('addr')).allowed, true);
  });

  it('check does not count; weights count as that many hits; counters of different names are apart', async (counters) => {
    const failures = counters('failures', 2, WINDOW_MS);
    const other = counters('other', 2, WINDOW_MS);
    for (let i = 0; i < 5; i++) assert.equal((await failures.check('addr')).allowed, true);
    await failures.hit('addr', 2);
    assert.equal((await failures.check('addr')).allowed, false);
    assert.ok((await failures.check('addr')).retryAfterMs > 0);
    assert.equal((await other.check('addr')).allowed, true);
  });
}
