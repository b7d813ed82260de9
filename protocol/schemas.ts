/**
 * Runtime schemas for every inbound payload. Types are inferred from these
 * schemas (see events.ts), so a type and its validator cannot drift.
 * `v.object` builds a fresh object with only the known keys, which also drops
 * `__proto__` and any other unexpected key.
 */
import * as v from 'valibot';
import {
  CLIENT_NAME_MAX_LENGTH,
  CONTROL_CHARACTERS,
  ID_MAX_LENGTH,
  ID_PATTERN,
  IV_BYTES,
  MAX_CHUNK_CIPHERTEXT_BYTES,
  MAX_DESCRIPTOR_BYTES,
  MAX_INLINE_DATA_BYTES,
  MAX_TOTAL_CHUNKS,
  JOIN_CHALLENGE_BYTES,
  JOIN_PROOF_BYTES,
  JOIN_VERIFIER_BYTES,
  MAX_HISTORY_PAGE,
  RESUME_TOKEN_BYTES,
  MAX_BATCH_MESSAGES,
} from './limits.ts';
import { describeNameProblem, nameProblem } from './names.ts';

export const IdSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must not be empty'),
  v.maxLength(ID_MAX_LENGTH, `must be at most ${ID_MAX_LENGTH} characters`),
  v.regex(ID_PATTERN, 'may contain only letters, digits, "-" and "_"'),
);

export const ClientNameSchema = v.pipe(
  v.string('must be a string'),
  v.trim(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(CLIENT_NAME_MAX_LENGTH, `must be at most ${CLIENT_NAME_MAX_LENGTH} characters`),
  v.check((name) => !CONTROL_CHARACTERS.test(name), 'must not contain control characters'),
  // Invisible, bidirectional and odd spacing characters (protocol/names.ts, shared with the clients' file names).
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = nameProblem(dataset.value);
    if (problem) addIssue({ message: describeNameProblem(problem) });
  }),
);

/** Binary as sent by msgpack: Uint8Array (Node Buffers are Uint8Arrays too). */
function bytes(maxBytes: number, exactBytes?: number) {
  return v.pipe(
    v.custom<Uint8Array>((value) => value instanceof Uint8Array, 'must be binary'),
    v.check(
      (value) => (exactBytes === undefined ? value.byteLength <= maxBytes : value.byteLength === exactBytes),
      exactBytes === undefined ? `must be at most ${maxBytes} bytes` : `must be exactly ${exactBytes} bytes`,
    ),
  );
}

const ChunkCountSchema = v.pipe(
  v.number('must be a number'),
  v.integer('must be an integer'),
  v.minValue(0, 'must not be negative'),
  v.maxValue(MAX_TOTAL_CHUNKS, `must be at most ${MAX_TOTAL_CHUNKS}`),
);

export const JoinChallengePayloadSchema = v.object({
  sessionId: IdSchema,
}, 'must be an object');

/**
 * `verifier` is the session's Ed25519 public key derived from the passphrase
 * (used only when this join creates the session); `proof` signs the challenge
 * the server gave this connection (see protocol/crypto/SPEC.md).
 */
export const JoinPayloadSchema = v.object({
  sessionId: IdSchema,
  clientName: ClientNameSchema,
  verifier: bytes(JOIN_VERIFIER_BYTES, JOIN_VERIFIER_BYTES),
  proof: bytes(JOIN_PROOF_BYTES, JOIN_PROOF_BYTES),
  /** false: join only an existing session (NOT_FOUND otherwise); absent or true: create it if missing. */
  create: v.optional(v.boolean('must be true or false')),
}, 'must be an object');

export const LeavePayloadSchema = v.object({
  sessionId: IdSchema,
}, 'must be an object');

/**
 * What a sender says about an item. Everything about the item itself (kind,
 * name, type, exact size) is inside the encrypted descriptor.
 */
export const ContentHeaderSchema = v.object({
  contentId: IdSchema,
  totalChunks: ChunkCountSchema,
  encryptedDescriptor: bytes(MAX_DESCRIPTOR_BYTES),
  iv: bytes(IV_BYTES, IV_BYTES),
  /** Secret chosen by the sender; proves ownership when resuming this upload from a new connection. */
  resumeToken: v.optional(bytes(RESUME_TOKEN_BYTES, RESUME_TOKEN_BYTES)),
}, 'must be an object');

export const ContentPayloadSchema = v.object({
  sessionId: IdSchema,
  content: ContentHeaderSchema,
  data: v.optional(bytes(MAX_INLINE_DATA_BYTES)),
}, 'must be an object');

export const ChunkSchema = v.pipe(
  v.object({
    contentId: IdSchema,
    chunkIndex: ChunkCountSchema,
    totalChunks: v.pipe(ChunkCountSchema, v.minValue(1, 'must be at least 1')),
    encryptedData: bytes(MAX_CHUNK_CIPHERTEXT_BYTES),
    iv: bytes(IV_BYTES, IV_BYTES),
  }, 'must be an object'),
  v.check((chunk) => chunk.chunkIndex < chunk.totalChunks, 'chunkIndex must be below totalChunks'),
);

export const ChunkPayloadSchema = v.object({
  sessionId: IdSchema,
  chunk: ChunkSchema,
}, 'must be an object');

/** Names one item of a session: cancel, remove, resume. */
export const ContentRefSchema = v.object({
  sessionId: IdSchema,
  contentId: IdSchema,
}, 'must be an object');
export const CancelContentPayloadSchema = ContentRefSchema;

/** Names a session: leave, clear. */
export const SessionRefSchema = LeavePayloadSchema;

export const ListContentPayloadSchema = v.object({
  sessionId: IdSchema,
  /** The last item of the previous page; omitted for the first page. */
  before: v.optional(IdSchema),
  limit: v.optional(v.pipe(v.number('must be a number'), v.integer('must be an integer'), v.minValue(1, 'must be at least 1'), v.maxValue(MAX_HISTORY_PAGE, `must be at most ${MAX_HISTORY_PAGE}`))),
}, 'must be an object');

export const FetchChunkPayloadSchema = v.object({
  sessionId: IdSchema,
  contentId: IdSchema,
  chunkIndex: ChunkCountSchema,
}, 'must be an object');

export const PinContentPayloadSchema = v.object({
  sessionId: IdSchema,
  contentId: IdSchema,
  pinned: v.boolean('must be true or false'),
}, 'must be an object');

export const RenameContentPayloadSchema = v.object({
  sessionId: IdSchema,
  contentId: IdSchema,
  encryptedName: bytes(MAX_DESCRIPTOR_BYTES),
  iv: bytes(IV_BYTES, IV_BYTES),
}, 'must be an object');

export const ResumeUploadPayloadSchema = v.object({
  sessionId: IdSchema,
  contentId: IdSchema,
  resumeToken: bytes(RESUME_TOKEN_BYTES, RESUME_TOKEN_BYTES),
}, 'must be an object');

/** Several small requests in one message, run in order, each validated as if sent alone. */
export const BatchPayloadSchema = v.pipe(
  v.array(
    v.object({ event: v.pipe(v.string('must be a string'), v.maxLength(64, 'must be at most 64 characters')), payload: v.unknown() }, 'must be an object'),
    'must be an array',
  ),
  v.minLength(1, 'must not be empty'),
  v.maxLength(MAX_BATCH_MESSAGES, `must hold at most ${MAX_BATCH_MESSAGES} messages`),
);

export type JoinChallengePayload = v.InferOutput<typeof JoinChallengePayloadSchema>;
export type JoinPayload = v.InferOutput<typeof JoinPayloadSchema>;
export type CancelContentPayload = v.InferOutput<typeof CancelContentPayloadSchema>;
export type ContentRef = v.InferOutput<typeof ContentRefSchema>;
export type SessionRef = v.InferOutput<typeof SessionRefSchema>;
export type ListContentPayload = v.InferOutput<typeof ListContentPayloadSchema>;
export type FetchChunkPayload = v.InferOutput<typeof FetchChunkPayloadSchema>;
export type PinContentPayload = v.InferOutput<typeof PinContentPayloadSchema>;
export type RenameContentPayload = v.InferOutput<typeof RenameContentPayloadSchema>;
export type ResumeUploadPayload = v.InferOutput<typeof ResumeUploadPayloadSchema>;
export type BatchPayload = v.InferOutput<typeof BatchPayloadSchema>;
export type LeavePayload = v.InferOutput<typeof LeavePayloadSchema>;
export type ContentHeader = v.InferOutput<typeof ContentHeaderSchema>;
export type ContentPayload = v.InferOutput<typeof ContentPayloadSchema>;
export type Chunk = v.InferOutput<typeof ChunkSchema>;
export type ChunkPayload = v.InferOutput<typeof ChunkPayloadSchema>;

/** Validates a payload; returns the parsed value or a short, safe reason. */
export function parsePayload<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
): { ok: true; value: v.InferOutput<S> } | { ok: false; reason: string } {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) return { ok: true, value: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  // A key missing from an object is reported by the object schema (with its "must be an object"): name the key instead.
  if (path && issue.type === 'object' && issue.input === undefined && issue.expected?.startsWith('"')) {
    return { ok: false, reason: `${path} is required` };
  }
  return { ok: false, reason: path ? `${path} ${issue.message}` : `payload ${issue.message}` };
}
