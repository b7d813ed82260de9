/**
 * Generated payloads for fuzz tests: a valid template for every request
 * event, and invalid variants (one field broken or dropped, or junk).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';

const SESSION = 'fuzz-room';

export const templates = {
  'join-challenge': () => ({ sessionId: SESSION }),
  join: () => ({ sessionId: SESSION, clientName: 'Fuzzer', verifier: randomBytes(32), proof: randomBytes(64) }),
  leave: () => ({ sessionId: SESSION }),
  content: () => ({ sessionId: SESSION, content: { contentId: 'c', totalChunks: 1, encryptedDescriptor: randomBytes(32), iv: randomBytes(12) } }),
  chunk: () => ({ sessionId: SESSION, chunk: { contentId: 'c', chunkIndex: 0, totalChunks: 1, encryptedData: randomBytes(64), iv: randomBytes(12) } }),
  'cancel-content': () => ({ sessionId: SESSION, contentId: 'c' }),
  'list-content': () => ({ sessionId: SESSION, before: 'c', limit: 10 }),
  'fetch-chunk': () => ({ sessionId: SESSION, contentId: 'c', chunkIndex: 0 }),
  'remove-content': () => ({ sessionId: SESSION, contentId: 'c' }),
  'clear-content': () => ({ sessionId: SESSION }),
  'pin-content': () => ({ sessionId: SESSION, contentId: 'c', pinned: true }),
  'rename-content': () => ({ sessionId: SESSION, contentId: 'c', encryptedName: randomBytes(64), iv: randomBytes(12) }),
  'resume-upload': () => ({ sessionId: SESSION, contentId: 'c', resumeToken: randomBytes(32) }),
  batch: () => [{ event: 'leave', payload: { sessionId: SESSION } }],
};
export type FuzzEvent = keyof typeof templates;
export const FUZZ_EVENTS = Object.keys(templates) as FuzzEvent[];

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = { sessionId: value };
  return value;
}

/** Values no field of any payload accepts, whatever the field. */
export const badValues: unknown[] = [
  undefined,
  null,
  true,
  -1,
  1.5,
  Number.MAX_SAFE_INTEGER + 2,
  NaN,
  '',
  'x'.repeat(100_000),
  '../../etc/passwd\u0000',
  '\u0000',
  [],
  [1, 2, 3],
  {},
  nested(20),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  new Float64Array(3),
  new Uint16Array(7),
  new ArrayBuffer(13),
];

function mutate(payload: unknown, path: string[], bad: unknown, drop: boolean): unknown {
  const copy = structuredClone(payload) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const leaf = path[path.length - 1]!;
  if (drop) delete target[leaf];
  else target[leaf] = bad;
  return copy;
}

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...prefix, key]));
}

/** An arbitrary of invalid payloads for `event`. */
export function invalidPayload(event: FuzzEvent): fc.Arbitrary<unknown> {
  const template = templates[event]();
  const mutation = fc
    .record({ path: fc.constantFrom(...leafPaths(template)), bad: fc.constantFrom(...badValues), drop: fc.boolean() })
    .map(({ path, bad, drop }) => mutate(template, path, bad, drop));
  const junk = fc.anything({ maxDepth: 4, withTypedArray: true, withNullPrototype: true, withObjectString: true });
  return fc.oneof({ weight: 3, arbitrary: mutation }, { weight: 1, arbitrary: junk });
}

/** `count` invalid payloads for `event`, reproducible from `seed`. */
export function invalidPayloads(event: FuzzEvent, count: number, seed: number): unknown[] {
  return fc.sample(invalidPayload(event), { seed, numRuns: count });
}

// ------------------------------------------------------------ value bombs

/** msgpack array header for `n` items. */
function arrayHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x90 | n);
  if (n < 0x10000) return Uint8Array.of(0xdc, n >> 8, n & 0xff);
  return Uint8Array.of(0xdd, n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
}

/** msgpack map header for `n` entries. */
function mapHeader(n: number): Uint8Array {
  if (n < 16) return Uint8Array.of(0x80 | n);
  return Uint8Array.of(0xde, n >> 8, n & 0xff);
}

/** 3 levels of arrays: `outer` arrays of `inner` empty arrays (1 + outer * (inner + 1) values). */
export function arrayBomb(outer: number, inner: number): Uint8Array {
  const row = concat([arrayHeader(inner), new Uint8Array(inner).fill(0x90)]);
  return concat([arrayHeader(outer), ...Array.from({ length: outer }, () => row)]);
}

/** A map of `entries` numeric keys, each holding nil: 2 values per entry plus the map. */
export function wideMap(entries: number): Uint8Array {
  const parts: Uint8Array[] = [mapHeader(entries)];
  for (let i = 0; i < entries; i++) parts.push(i < 128 ? Uint8Array.of(i, 0xc0) : Uint8Array.of(0xcd, i >> 8, i & 0xff, 0xc0));
  return concat(parts);
}

/** A chain of `depth` one-item arrays ending in nil: depth + 1 values. */
export function deepArray(depth: number): Uint8Array {
  return concat([new Uint8Array(depth).fill(0x91), Uint8Array.of(0xc0)]);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A whole Socket.IO EVENT packet `[event, { sessionId, before: <value> }]`
 * with an ack id, where <value> is the raw msgpack `value` (a bomb above):
 * valid msgpack a client library would never write.
 */
export function packetWith(event: string, value: Uint8Array, id = 0): Uint8Array {
  const text = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    return concat([Uint8Array.of(0xa0 | bytes.length), bytes]);
  };
  return concat([
    mapHeader(4),
    text('type'), Uint8Array.of(2),
    text('nsp'), text('/'),
    text('id'), Uint8Array.of(0xce, id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff),
    text('data'), arrayHeader(2), text(event),
    mapHeader(2), text('sessionId'), text(SESSION), text('before'), value,
  ]);
}

/** Values in packetWith()'s packet besides those of `value`. */
export const PACKET_VALUES = 14;
