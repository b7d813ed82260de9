import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Gate, Semaphore, abortable, onAbort } from './flow.ts';
import { delay } from './socket.ts';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

test('any number of waits on one signal hold one listener on it, gone once they settle', async () => {
  const controller = new AbortController();
  const { signal } = controller;
  const slots = new Semaphore(1);
  await slots.acquire();
  const gate = new Gate();
  let release!: () => void;
  const pending = new Promise<void>((resolve) => (release = resolve));
  const waits = [
    ...Array.from({ length: 20 }, () => abortable(pending, signal)),
    ...Array.from({ length: 20 }, () => slots.acquire(signal).then(() => slots.release())),
    ...Array.from({ length: 20 }, () => gate.ready(signal)),
    ...Array.from({ length: 20 }, () => delay(5, signal)),
  ];
  assert.equal(listeners(signal), 1);
  release();
  slots.release();
  gate.open();
  await Promise.all(waits);
  assert.equal(listeners(signal), 0);
});

test('an abort reaches every waiter, in order, with its reason, and one taken back during it is skipped', async () => {
  const controller = new AbortController();
  const calls: string[] = [];
  onAbort(controller.signal, () => calls.push('first'));
  let offThird = () => {};
  onAbort(controller.signal, () => {
    calls.push('second');
    offThird();
  });
  offThird = onAbort(controller.signal, () => calls.push('third'));
  const waiting = abortable(new Promise(() => {}), controller.signal);
  controller.abort(new Error('stop'));
  assert.deepEqual(calls, ['first', 'second']);
  await assert.rejects(waiting, /stop/);
  assert.equal(listeners(controller.signal), 0);
  // Added after the abort: called at once.
  onAbort(controller.signal, () => calls.push('late'));
  assert.deepEqual(calls, ['first', 'second', 'late']);
});
