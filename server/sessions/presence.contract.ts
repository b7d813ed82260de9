/** The cases every Presence must pass, run against each backend (memory, Redis). */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError } from '../../protocol/errors.ts';
import type { Presence } from './presence.ts';

export function presenceContract(backend: string, open: (t: TestContext) => Promise<Presence>, options: { skip?: string | false } = {}): void {
  const it = (name: string, body: (presence: Presence) => Promise<void>) =>
    test(`${backend}: ${name}`, { skip: options.skip ?? false }, async (t) => body(await open(t)));

  it('members are listed in join order; joining again renames and keeps the place', async (presence) => {
    await presence.join('s', { id: 'a', name: 'Alice' }, 10);
    await presence.join('s', { id: 'b', name: 'Bob' }, 10);
    const again = await presence.join('s', { id: 'a', name: 'Alice 2' }, 10);
    assert.equal(again.alreadyMember, true);
    assert.deepEqual(again.members, [{ id: 'a', name: 'Alice 2' }, { id: 'b', name: 'Bob' }]);
    const carol = await presence.join('s', { id: 'c', name: 'Carol' }, 10);
    assert.equal(carol.alreadyMember, false);
    assert.deepEqual(await presence.members('s'), [{ id: 'a', name: 'Alice 2' }, { id: 'b', name: 'Bob' }, { id: 'c', name: 'Carol' }]);
  });

  it('a full session refuses a new member with SESSION_FULL, not one already in it, and has room once one leaves', async (presence) => {
    await presence.join('s', { id: 'a', name: 'A' }, 2);
    await presence.join('s', { id: 'b', name: 'B' }, 2);
    await assert.rejects(presence.join('s', { id: 'c', name: 'C' }, 2), (error) => error instanceof ProtocolError && error.code === 'SESSION_FULL');
    assert.equal((await presence.join('s', { id: 'b', name: 'B again' }, 2)).alreadyMember, true);
    assert.equal(await presence.leave('s', 'a'), true);
    assert.equal((await presence.join('s', { id: 'c', name: 'C' }, 2)).alreadyMember, false);
  });

  it('leaving is told once; an empty session has no members; sessions are kept apart', async (presence) => {
    await presence.join('s', { id: 'a', name: 'A' }, 10);
    await presence.join('t', { id: 'a', name: 'A' }, 10);
    assert.deepEqual(presence.localSessions().sort(), ['s', 't']);
    assert.equal(await presence.leave('s', 'a'), true);
    assert.equal(await presence.leave('s', 'a'), false);
    assert.equal(await presence.leave('never', 'a'), false);
    assert.equal(await presence.hasMembers('s'), false);
    assert.equal(await presence.hasMembers('t'), true);
    assert.deepEqual(presence.localSessions(), ['t']);
    assert.equal(presence.localSessionCount(), 1);
    assert.deepEqual(await presence.members('s'), []);
  });
}
