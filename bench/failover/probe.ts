/**
 * Is the relay between nodes working? Two ShareClients in one session, each
 * connected straight to a different node: one shares a short text every
 * 100 ms until the other receives one, which only happens once Redis carries
 * broadcasts between the nodes again (and stores the item).
 */
import { randomUUID } from 'node:crypto';
import { ShareClient } from '../../client/sdk/index.ts';
import { nowNs } from '../lib/child.ts';
import { BENCH_PASSPHRASE, fastKeys } from '../lib/load.ts';

const EVERY_MS = 100;

export class CrossNodeProbe {
  readonly #sender: ShareClient;
  readonly #receiver: ShareClient;
  readonly #session = `probe-${randomUUID().slice(0, 8)}`;

  constructor(senderUrl: string, receiverUrl: string) {
    const client = (url: string, name: string) =>
      new ShareClient({ url, clientName: name, deriveKeys: fastKeys, socketOptions: { transports: ['websocket'] } });
    this.#sender = client(senderUrl, 'probe sender');
    this.#receiver = client(receiverUrl, 'probe receiver');
  }

  async join(): Promise<void> {
    await this.#sender.join(this.#session, BENCH_PASSPHRASE);
    await this.#receiver.join(this.#session, BENCH_PASSPHRASE);
  }

  /** CLOCK_MONOTONIC ns when a text shared from now on first reached the other node; rejects after `timeoutMs`. */
  firstRelay(timeoutMs: number): Promise<number> {
    const marker = randomUUID();
    let sent = 0;
    return new Promise<number>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearInterval(timer);
        clearTimeout(limit);
        off();
        if (error) reject(error);
        else resolve(nowNs());
      };
      const off = this.#receiver.on('content', (item) => {
        if (item.kind !== 'text') return;
        void item.text().then((text) => text.startsWith(marker) && finish(), () => undefined);
      });
      // Each retries by itself while Redis is away; only the first arrival matters.
      const send = () => void this.#sender.shareText(`${marker} ${sent++}`).catch(() => undefined);
      const timer = setInterval(send, EVERY_MS);
      const limit = setTimeout(() => finish(new Error(`no text relayed between nodes within ${timeoutMs} ms (${sent} sent)`)), timeoutMs);
      send();
    });
  }

  close(): void {
    this.#sender.close();
    this.#receiver.close();
  }
}
