/**
 * A fault-injecting TCP proxy on 127.0.0.1 for failure tests: put it between
 * a node and Redis or the object store, then switch it between passing
 * traffic, black-holing it and resetting it.
 *
 * - blackhole: a cut network. Connections stay open and nothing gets
 *   through; what was sent waits, as TCP would keep retransmitting it, and
 *   arrives once the proxy passes traffic again.
 * - reset: a peer that is down. Every connection, old and new, is refused
 *   with a reset.
 */
import { once } from 'node:events';
import net from 'node:net';
import type { TestContext } from 'node:test';

export type FaultMode = 'pass' | 'blackhole' | 'reset';

export interface FaultProxy {
  port: number;
  /** host:port of the proxy, for URLs. */
  address: string;
  readonly mode: FaultMode;
  set(mode: FaultMode): void;
}

type Pair = { client: net.Socket; upstream: net.Socket };

/** Stops reading both ways: bytes wait in the sockets' buffers. */
function hold({ client, upstream }: Pair): void {
  client.unpipe(upstream);
  upstream.unpipe(client);
  client.pause();
  upstream.pause();
}

function release({ client, upstream }: Pair): void {
  client.pipe(upstream);
  upstream.pipe(client);
}

export async function startFaultProxy(t: TestContext, targetPort: number): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const pairs = new Set<Pair>();

  const server = net.createServer((client) => {
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (mode === 'blackhole') hold(pair);
    const close = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const { client, upstream } of pairs) {
      client.destroy();
      upstream.destroy();
    }
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    address: `127.0.0.1:${port}`,
    get mode() {
      return mode;
    },
    set(next) {
      const before = mode;
      mode = next;
      if (next === 'blackhole' && before === 'pass') for (const pair of pairs) hold(pair);
      if (next === 'pass' && before === 'blackhole') for (const pair of pairs) release(pair);
      if (next === 'reset') {
        for (const { client, upstream } of pairs) {
          client.resetAndDestroy();
          upstream.destroy();
        }
        pairs.clear();
      }
    },
  };
}
