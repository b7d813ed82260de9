/**
 * The protocol as one module, for the package's `sharethings/protocol` entry:
 * the Socket.IO event maps and payload types, error codes, limits, payload
 * schemas, the crypto envelope (WebCrypto only) and the parser the server
 * speaks (pass it to socket.io-client as `parser`). Inside this repository
 * the server and the SDK import the files themselves.
 */
export type * from './events.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './schemas.ts';
export * from './crypto/index.ts';
export * as parser from './parser.ts';
// Defined in both (the same 32): one name, one value.
export { JOIN_CHALLENGE_BYTES } from './limits.ts';
