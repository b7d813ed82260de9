/**
 * Runs the slow step of key derivation (PBKDF2-SHA-256, 600,000 iterations)
 * off the page's main thread, so typing, animations and the connection stay
 * responsive. Receives { sessionId, passphrase }, answers with the 32 master
 * bytes (transferred, not copied); the page derives the session keys from
 * them. A separate esbuild entry (client/build.ts); one worker per
 * derivation, terminated after it, so the passphrase does not linger here.
 */
import { deriveMasterBits } from '../../protocol/crypto/keys.ts';

export interface DeriveRequest {
  sessionId: string;
  passphrase: string;
}

export type DeriveResponse = { ok: true; bits: Uint8Array } | { ok: false; message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<DeriveRequest>) => void) | null;
  postMessage(message: DeriveResponse, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = async (event) => {
  try {
    const { sessionId, passphrase } = event.data;
    const bits = await deriveMasterBits(sessionId, passphrase);
    scope.postMessage({ ok: true, bits }, [bits.buffer]);
  } catch (error) {
    scope.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
  }
};
