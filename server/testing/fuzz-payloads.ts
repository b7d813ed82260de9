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
