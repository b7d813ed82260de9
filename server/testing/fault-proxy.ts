/**
 * A fault-injecting TCP proxy on 127.0.0.1 for failure tests: put it between
 * a node and Redis or the object store, then switch it between passing
 * traffic, black-holing it (connections stay open, nothing goes through:
 * a cut network or a hung peer) and resetting it (every connection, old and
 * new, is refused with a reset: a peer that is down).
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

export async function startFaultProxy(t: TestContext, targetPort: number): Promise<FaultProxy> {
  let mode: FaultMode = 'pass';
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();

  const server = net.createServer((client) => {
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (data: Buffer) => {
        // Black-holed: the bytes are swallowed, as a cut link would; the sockets stay open.
        if (mode === 'pass') to.write(data);
      });
    forward(client, upstream);
    forward(upstream, client);
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
      mode = next;
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
