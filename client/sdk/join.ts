/**
 * The join handshake: ask for a one-time challenge, sign it with the
 * passphrase-derived Ed25519 key, send the signature and the public verifier.
 * Neither the passphrase nor any secret key leaves the device.
 */
import { JOIN_CHALLENGE_BYTES, ID_MAX_LENGTH, ID_PATTERN } from '../../protocol/limits.ts';
import { signJoinProof } from '../../protocol/crypto/index.ts';
import type { SessionKeys } from '../../protocol/crypto/index.ts';
import type { JoinResult } from '../../protocol/events.ts';
import { ShareError } from './errors.ts';
import { request, whenConnected } from './socket.ts';
import type { ClientSocket } from './socket.ts';

/** What a join returned: members, whether it created the session, quota, and the raw first history page. */
export type JoinOutcome = Pick<JoinResult, 'clients' | 'created' | 'quota'> & { history: unknown };

/** A lost connection between challenge and join voids the challenge; try again a few times. */
const ATTEMPTS = 3;

export function checkSessionId(sessionId: string): void {
  if (typeof sessionId !== 'string' || sessionId.length > ID_MAX_LENGTH || !ID_PATTERN.test(sessionId)) {
    throw new ShareError('INVALID_PAYLOAD', `A session id is 1..${ID_MAX_LENGTH} letters, digits, "-" or "_"`);
  }
}

export async function performJoin(
  socket: ClientSocket,
  sessionId: string,
  clientName: string,
  keys: SessionKeys,
  timeoutMs: number,
  create = true,
): Promise<JoinOutcome> {
  for (let attempt = 1; ; attempt++) {
    await whenConnected(socket, timeoutMs);
    const { challenge } = await request(socket, 'join-challenge', { sessionId }, timeoutMs);
    // The challenge belongs to this connection; remember which one it was.
    const connection = socket.id;
    if (!(challenge instanceof Uint8Array) || challenge.length !== JOIN_CHALLENGE_BYTES) {
      throw new ShareError('INTERNAL', 'The server sent a malformed join challenge');
    }
    const proof = await signJoinProof(keys, sessionId, challenge);
    if (socket.connected && socket.id === connection) {
      const payload = { sessionId, clientName, verifier: keys.authPublicKey, proof, ...(create ? {} : { create }) };
      const result = await request(socket, 'join', payload, timeoutMs);
      if (!Array.isArray(result.clients)) throw new ShareError('INTERNAL', 'The server sent a malformed join result');
      return { clients: result.clients, created: result.created === true, quota: result.quota, history: result.history };
    }
    if (attempt >= ATTEMPTS) throw new ShareError('UNAVAILABLE', 'The connection kept dropping while joining');
  }
}
