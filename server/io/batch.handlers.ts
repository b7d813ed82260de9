/**
 * `batch`: several small requests in one message (the seed's batching), run
 * in order, each validated, rate-counted and answered exactly as if it had
 * been sent alone. A batch cannot contain a batch; its fetch-chunk (and
 * list-content) entries count against the connection's fetch bound one by one.
 */
import type { AckResponse } from '../../protocol/events.ts';
import { BatchPayloadSchema } from '../../protocol/schemas.ts';
import { GATED_READS, fetchGateOf, readReplyBytes, type FetchSlot } from '../content/fetch-gate.ts';
import type { HandlerContext } from './context.ts';
import { handle, requestsOf } from './handle.ts';
import type { IoSocket } from './types.ts';

export function registerBatchHandler(socket: IoSocket, ctx: HandlerContext): void {
  const fetches = fetchGateOf(socket, ctx.config.limits);
  handle(socket, ctx, 'batch', BatchPayloadSchema, async (messages) => {
    const requests = requestsOf(socket);
    const results: AckResponse[] = [];
    // Chunks fetched by this batch stay counted until its one answer is sent (content/fetch-gate.ts).
    const fetched: FetchSlot[] = [];
    try {
      for (const { event, payload } of messages) {
        const request = event === 'batch' ? undefined : requests.get(event);
        const result = request ? await request(payload) : { success: false as const, error: 'Unknown event', code: 'UNKNOWN_EVENT' as const };
        if (GATED_READS.has(event) && result.success) fetched.push(fetches.hold(readReplyBytes(result)));
        results.push(result);
      }
      return { results };
    } finally {
      // As for a single fetch: only promise callbacks run before the answer is in the transport's buffer.
      for (const slot of fetched) slot.release();
    }
  });
}
