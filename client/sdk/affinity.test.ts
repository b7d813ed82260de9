import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { affinityKey } from './affinity.ts';

test('the affinity key is the first 8 bytes of SHA-256("sharethings-affinity:" + session id), as PROTOCOL.md says', async () => {
  for (const sessionId of ['a', 'team-room', 'x'.repeat(64)]) {
    const expected = createHash('sha256').update(`sharethings-affinity:${sessionId}`).digest('hex').slice(0, 16);
    assert.equal(await affinityKey(sessionId), expected);
  }
  assert.notEqual(await affinityKey('room-1'), await affinityKey('room-2'));
});
