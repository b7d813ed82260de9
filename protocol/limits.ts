/**
 * Protocol limits shared by server and clients. The server enforces them on
 * every inbound payload; clients use them to fail early with a clear message.
 */

/** Session and content ids: URL-safe, no dots or slashes, so an id can never name a path. */
export const ID_PATTERN = /^[A-Za-z0-9_-]+$/;
export const ID_MAX_LENGTH = 64;

/** Display names: trimmed, 1..64 characters, no control characters. */
export const CLIENT_NAME_MAX_LENGTH = 64;
// Cc (C0, DEL, C1), and the bidi overrides that can disguise a name.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** AES-GCM: 96-bit IVs, 128-bit tags. */
export const IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Largest plaintext chunk a client may send, and its ciphertext. */
export const MAX_CHUNK_PLAINTEXT_BYTES = 1024 * 1024;
export const MAX_CHUNK_CIPHERTEXT_BYTES = MAX_CHUNK_PLAINTEXT_BYTES + GCM_TAG_BYTES;

/** Most chunks one item may have (with 1 MiB chunks: 64 GiB, far above any item size limit). */
export const MAX_TOTAL_CHUNKS = 65_536;

/** Encrypted item descriptor (kind, name, type, size, dimensions, small inline text). */
export const MAX_DESCRIPTOR_BYTES = 64 * 1024;

/** Optional inline encrypted payload of a `content` event (the seed's `data`). */
export const MAX_INLINE_DATA_BYTES = 256 * 1024;

/** Sessions one connection may be a member of at the same time. */
export const MAX_SESSIONS_PER_SOCKET = 4;

/** Error message text sent to clients is short and generic. */
export const MAX_ERROR_MESSAGE_LENGTH = 200;

/** Uploads one connection may have in progress at the same time. */
export const MAX_UPLOADS_PER_SOCKET = 16;

/** Joining: a 32-byte server challenge, signed with Ed25519 (64-byte proof, 32-byte public key). */
export const JOIN_CHALLENGE_BYTES = 32;
export const JOIN_PROOF_BYTES = 64;
export const JOIN_VERIFIER_BYTES = 32;
/** A challenge is good for one join attempt within this time. */
export const JOIN_CHALLENGE_TTL_MS = 60_000;

/** History pages: the join ack carries the first page; list-content the rest. */
export const DEFAULT_HISTORY_PAGE = 50;
export const MAX_HISTORY_PAGE = 200;

/** Upload resume tokens: 256 random bits, known only to the sender. */
export const RESUME_TOKEN_BYTES = 32;

/** Messages one `batch` may carry. */
export const MAX_BATCH_MESSAGES = 50;

/**
 * Decoding bounds of one message (see PROTOCOL.md §1): values (every msgpack
 * value, map keys and containers included) and UTF-8 bytes of all strings.
 * Only `bin` bytes count toward the byte budgets, so without these a 4 MB
 * message of 4M empty arrays took half a second to decode.
 *
 * Client to server: the largest legitimate message is a `batch` of
 * MAX_BATCH_MESSAGES `content` requests with every optional field and ids of
 * ID_MAX_LENGTH: 1,061 values, 13,819 string bytes (a `join` with a name of
 * 64 four-byte characters: 21 values, 248 bytes). The caps leave about 9x.
 */
export const MAX_INBOUND_VALUES = 10_000;
export const MAX_INBOUND_STRING_BYTES = 128 * 1024;
/**
 * Server to client: the largest is the ack of a `batch` of MAX_BATCH_MESSAGES
 * `list-content` pages of MAX_HISTORY_PAGE items, every header field set and
 * names of 64 four-byte characters: 290,364 values, 3,750,978 string bytes
 * (a join ack: 1,736 values, 28,828 bytes). The caps leave about 3.4x and 4.4x.
 */
export const MAX_OUTBOUND_VALUES = 1_000_000;
export const MAX_OUTBOUND_STRING_BYTES = 16 * 1024 * 1024;
/**
 * Decoding work per connection, counted by the server in values per window:
 * past it the connection is closed. A legitimate client reaches about 148k
 * in a second at most: chunks at the whole byte budget (BYTES_PER_SOCKET per
 * EVENT_WINDOW, 1 GiB/s, in 256 KiB chunks of 26 values: 106k) plus every
 * request EVENTS_PER_SOCKET allows in a window (2,000 of about 21 values)
 * sent in the same second. 250k values decode in about 30 ms at worst, so a
 * connection is closed before it has cost that much.
 */
export const DECODE_VALUES_PER_WINDOW = 250_000;
export const DECODE_WINDOW_MS = 1_000;
