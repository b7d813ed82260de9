/** Helpers shared by the SDK's integration tests (Node only; never bundled: index.ts does not import it). */
import type { TestContext } from 'node:test';
import { createHash, randomBytes } from 'node:crypto';
import { testKeys } from '../../server/testing/harness.ts';
import { ShareClient, type ReceivedItem, type ShareClientEvents, type ShareClientOptions } from './index.ts';

export const MiB = 1024 * 1024;
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Fast reconnection for tests: a restarted server is found again within a few hundred ms. */
export const QUICK_RECONNECT = { reconnectionDelay: 50, reconnectionDelayMax: 200 } as const;

/**
 * The chunk size the tests count in (8 MiB = 32 chunks, 50 MB = 200...): they
 * check which chunks move, not the default, which bench/transfer.ts measures
 * (512 KiB since 2026-12-05; options.ts).
 */
export const TEST_CHUNK_SIZE = 256 * 1024;

export function newClient(t: TestContext, url: string, clientName: string, options: Partial<ShareClientOptions> = {}): ShareClient {
  const client = new ShareClient({
    url,
    clientName,
    deriveKeys: testKeys,
    chunkSize: TEST_CHUNK_SIZE,
    ...QUICK_RECONNECT,
    ...options,
    socketOptions: { transports: ['websocket'], ...options.socketOptions },
  });
  t.after(() => client.close());
  return client;
}

/** The next payload of `event` that passes `filter`. */
export function next<K extends keyof ShareClientEvents>(
  client: ShareClient,
  event: K,
  filter: (payload: ShareClientEvents[K]) => boolean = () => true,
): Promise<ShareClientEvents[K]> {
  return new Promise((resolve) => {
    const off = client.on(event, (payload) => {
      if (!filter(payload)) return;
      off();
      resolve(payload);
    });
  });
}

export function collect<K extends keyof ShareClientEvents>(client: ShareClient, event: K): ShareClientEvents[K][] {
  const seen: ShareClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}

/** Reads an item chunk by chunk: its SHA-256, and the most it ever held buffered. */
export async function hashStream(item: ReceivedItem): Promise<{ digest: string; bytes: number; maxBuffered: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let maxBuffered = 0;
  for await (const chunk of item.stream()) {
    hash.update(chunk);
    bytes += chunk.length;
    maxBuffered = Math.max(maxBuffered, item.bufferedBytes);
  }
  return { digest: hash.digest('hex'), bytes, maxBuffered };
}

/** `size` random bytes. */
export const randomData = (size: number) => new Uint8Array(randomBytes(size));

/**
 * A Blob (so uploads from it can resume) whose bytes from `holdFrom` on are
 * read only once `release()` is called: an upload of it is certainly midway
 * when the test acts.
 */
export function heldBlob(data: Uint8Array, holdFrom: number): { blob: Blob; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  class HeldBlob extends Blob {
    override slice(start = 0, end = data.length): Blob {
      const part = { arrayBuffer: async () => {
        if (end > holdFrom) await held;
        return data.slice(start, end).buffer;
      } };
      return part as unknown as Blob;
    }
  }
  return { blob: new HeldBlob([data as Uint8Array<ArrayBuffer>]), release };
}
