import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChunkPayloadSchema,
  ContentPayloadSchema,
  ContentRefSchema,
  JoinPayloadSchema,
  parsePayload,
} from './schemas.ts';

const reason = (result: ReturnType<typeof parsePayload>) => (result.ok ? 'ok' : result.reason);
const bytes = (n: number) => new Uint8Array(n);

test('a missing required field is named as missing, at any depth', () => {
  assert.equal(reason(parsePayload(JoinPayloadSchema, { sessionId: 'a', verifier: bytes(32), proof: bytes(64) })), 'clientName is required');
  assert.equal(reason(parsePayload(ContentRefSchema, { sessionId: 'a' })), 'contentId is required');
  assert.equal(reason(parsePayload(ContentPayloadSchema, { sessionId: 'a', content: { totalChunks: 1 } })), 'content.contentId is required');
  assert.equal(reason(parsePayload(ChunkPayloadSchema, { sessionId: 'a' })), 'chunk is required');
});

test('a payload or field of the wrong type still says what it must be', () => {
  assert.equal(reason(parsePayload(ContentRefSchema, null)), 'payload must be an object');
  assert.equal(reason(parsePayload(ContentPayloadSchema, { sessionId: 'a', content: 'x' })), 'content must be an object');
  assert.equal(reason(parsePayload(ContentRefSchema, { sessionId: 'a', contentId: 5 })), 'contentId must be a string');
});

test('display names with invisible, bidirectional or odd spacing characters are refused with the reason; names in any script pass', () => {
  const joinAs = (clientName: string) => parsePayload(JoinPayloadSchema, { sessionId: 'a', clientName, verifier: bytes(32), proof: bytes(64) });
  assert.equal(reason(joinAs('Al\u200bice')), 'clientName must not contain invisible, zero-width or bidirectional control characters');
  assert.equal(reason(joinAs('Alice\u200f')), 'clientName must not contain invisible, zero-width or bidirectional control characters');
  assert.equal(reason(joinAs('Ali\u3000ce')), 'clientName must not contain spaces other than U+0020');
  assert.equal(reason(joinAs('Ali    ce')), 'clientName must not start or end with spaces or contain several in a row');
  for (const name of ['José', '東京', '김민준', 'مرحبا', '👨‍👩‍👧']) assert.equal(reason(joinAs(name)), 'ok', name);
});
