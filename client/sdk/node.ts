/**
 * The SDK's entry for Node (the package's `node` condition): index.ts, with a
 * ShareClient whose default transports are node-websocket.ts's, which mask
 * large chunks in place (about a quarter less CPU per byte sent), and whose
 * chunks are sealed and opened with node:crypto (node-chunk-cipher.ts, about
 * half the CPU of Node's WebCrypto). Browsers get index.ts itself: this
 * module imports `ws` and `node:crypto`.
 */
import { ShareClient as PortableShareClient } from './share-client.ts';
import { nodeTransports } from './node-websocket.ts';
import { nodeChunkCipher } from './node-chunk-cipher.ts';
import type { ShareClientOptions } from './types.ts';

export * from './index.ts';

/** ShareClient (share-client.ts); `socketOptions.transports` and `chunkCipher` still win when given. */
export class ShareClient extends PortableShareClient {
  constructor(options: ShareClientOptions) {
    super({ chunkCipher: nodeChunkCipher, ...options, socketOptions: { transports: nodeTransports, ...options?.socketOptions } });
  }
}
