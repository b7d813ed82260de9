/** The wire form of stored items, and a session's quota as shown to users. */
import type { ItemHeader, QuotaInfo } from '../../protocol/events.ts';
import type { Config } from '../config.ts';
import type { ContentStore, ItemState } from '../store/content-store.ts';

export function toHeader(item: ItemState): ItemHeader {
  const header: ItemHeader = {
    contentId: item.contentId,
    totalChunks: item.totalChunks,
    encryptedDescriptor: item.encryptedDescriptor,
    iv: item.iv,
    senderId: item.senderId,
    senderName: item.senderName,
    timestamp: item.timestamp,
    pinned: item.pinned,
    receivedChunks: item.receivedChunks,
    complete: item.complete,
  };
  if (item.data) header.data = item.data;
  if (item.name) header.name = item.name;
  return header;
}

export async function quotaOf(store: ContentStore, config: Config, sessionId: string): Promise<QuotaInfo> {
  const usage = await store.usage(sessionId);
  return {
    usedBytes: usage.bytes,
    maxBytes: config.sessionQuotaBytes,
    usedItems: usage.items,
    maxItems: config.sessionMaxItems,
    maxItemBytes: config.maxItemBytes,
  };
}
