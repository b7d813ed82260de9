/**
 * `batch`: several small requests in one message (the seed's batching), run
 * in order, each validated, rate-counted and answered exactly as if it had
 * been sent alone. A batch cannot contain a batch.
 */
import type { AckResponse } from '../../protocol/events.ts';
import { BatchPayloadSchema } from '../../protocol/schemas.ts';
import type { HandlerContext } from './context.ts';
import { handle, requestsOf } from './handle.ts';
import type { IoSocket } from './types.ts';

export function registerBatchHandler(socket: IoSocket, ctx: HandlerContext): void {
  handle(socket, ctx, 'batch', BatchPayloadSchema, async (messages) => {
    const requests = requestsOf(socket);
    const results: AckResponse[] = [];
    for (const { event, payload } of messages) {
      const request = event === 'batch' ? undefined : requests.get(event);
      results.push(request ? await request(payload) : { success: false, error: 'Unknown event', code: 'UNKNOWN_EVENT' });
    }
    return { results };
  });
}
