/**
 * Issue 16, item 2: limits before any work. Engine.IO handshakes are refused
 * per address before a session object exists (open connections, handshakes
 * per window, the access token), and the HTTP server closes half-sent
 * requests and caps the TCP connections one address holds. The attackers
 * come from their own loopback addresses (127.0.0.2, ...), the well-behaved
 * clients from 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { joinAs, nextEvent, tempDir, type TestServer } from '../testing/harness.ts';
import { asTestServer, spawnServer, type ServerProcess } from '../testing/server-process.ts';
import { MB, rssBytes, watchServer } from '../testing/overload.ts';

async function start(t: Parameters<typeof spawnServer>[0], env: Record<string, string>): Promise<{ child: ServerProcess; server: TestServer }> {
  const dataDir = await tempDir(t);
  const child = await spawnServer(t, { DATA_DIR: dataDir, ...env });
  await fetch(`${child.url}/healthz`).then((response) => response.text());
  return { child, server: asTestServer(child, dataDir) };
}

/** `total` long-polling handshakes from `from`, `concurrency` at a time on keep-alive connections; counts answers by status. */
async function handshakeFlood(port: number, from: string, total: number, concurrency: number, query = ''): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, localAddress: from });
  const statuses = new Map<number, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < total) {
      sent++;
      const status = await new Promise<number>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: `/socket.io/?EIO=4&transport=polling${query}`, agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
        req.end();
      });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return statuses;
}

async function health(url: string): Promise<{ connections: number }> {
  return (await (await fetch(`${url}/healthz`)).json()) as { connections: number };
}

/** Two members of a session share a text: the server serves everyone else. */
async function exchangeText(t: Parameters<typeof spawnServer>[0], server: TestServer, extra: Record<string, unknown> = {}): Promise<void> {
  const { socket: alice } = await joinAs(t, { ...server, ...extra }, 'bystanders', 'Alice');
  const { socket: bob } = await joinAs(t, { ...server, ...extra }, 'bystanders', 'Bob');
  const arrived = nextEvent(bob, 'content');
  await alice.timeout(5000).emitWithAck('content', {
    sessionId: 'bystanders',
    content: { contentId: 'hello', totalChunks: 0, encryptedDescriptor: randomBytes(200), iv: randomBytes(12) },
  });
  assert.equal((await arrived).content.contentId, 'hello');
}

test('a flood of polling handshakes from one address is refused beyond its caps, and nobody else notices', async (t) => {
  const { child, server } = await start(t, { OPEN_CONNECTIONS_PER_ADDRESS: '50', HANDSHAKES_PER_ADDRESS: '200', CONNECTIONS_PER_ADDRESS: '1000' });
  const pid = child.child.pid!;
  const base = await rssBytes(pid);
  const watch = await watchServer(server.url, pid);
  const flood = handshakeFlood(server.port, '127.0.0.2', 20_000, 20);
  await exchangeText(t, server);
  const statuses = await flood;
  const seen = await watch.stop();

  assert.equal(statuses.get(200), 50, `answers: ${JSON.stringify([...statuses])}`);
  assert.equal(statuses.get(403), 20_000 - 50);
  // The bystanders' two connections and the flood's 50 sessions, no more.
  assert.ok((await health(server.url)).connections <= 52);
  assert.ok(seen.peakRss < base + 100 * MB, `RSS ${Math.round(base / MB)} MB -> ${Math.round(seen.peakRss / MB)} MB`);
  assert.equal(seen.failures, 0);
  assert.ok(seen.slowestMs < 100, `/healthz took up to ${Math.round(seen.slowestMs)} ms over ${seen.polls} polls`);
  t.diagnostic(`RSS ${Math.round(base / MB)} -> ${Math.round(seen.peakRss / MB)} MB; /healthz <= ${Math.round(seen.slowestMs)} ms (${seen.polls} polls)`);
});

test('with ACCESS_TOKEN, handshakes without it are refused before a session is made, beyond a few for clients that send it at connect', async (t) => {
  const { server } = await start(t, { ACCESS_TOKEN: 'private deployment' });
  const refused = await handshakeFlood(server.port, '127.0.0.3', 2000, 20);
  assert.deepEqual([...refused].sort(), [[200, 4], [403, 1996]]);
  assert.equal((await health(server.url)).connections, 4);
  const wrong = await handshakeFlood(server.port, '127.0.0.4', 50, 5, '&accessToken=guess');
  assert.deepEqual([...wrong], [[403, 50]]);
  const admitted = await handshakeFlood(server.port, '127.0.0.3', 5, 1, '&accessToken=private%20deployment');
  assert.deepEqual([...admitted], [[200, 5]]);
  assert.equal((await health(server.url)).connections, 9);
  await exchangeText(t, server, { url: `${server.url}?accessToken=private%20deployment` });
});

/** Opens a TCP connection from `from` and writes `data`; resolves what the server sent once it closed the connection. */
async function openAndWrite(port: number, from: string, data: string): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  const socket = net.connect({ host: '127.0.0.1', port, localAddress: from });
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => received);
  await once(socket, 'connect');
  if (data) socket.write(data);
  return { socket, closed };
}

test('half-sent headers and slow bodies are closed by the timeouts, and one address cannot hold more connections than its cap', async (t) => {
  const { server } = await start(t, { HTTP_HEADERS_TIMEOUT: '500ms', HTTP_REQUEST_TIMEOUT: '1s', HTTP_CONNECTIONS_PER_ADDRESS: '40' });
  const sockets: net.Socket[] = [];
  t.after(() => sockets.forEach((socket) => socket.destroy()));
  const slowHeaders = [];
  for (let i = 0; i < 30; i++) {
    const open = await openAndWrite(server.port, '127.0.0.4', 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    sockets.push(open.socket);
    slowHeaders.push(open.closed);
  }
  const slowBody = await openAndWrite(server.port, '127.0.0.4', 'POST /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: 4000000\r\n\r\nabc');
  sockets.push(slowBody.socket);
  // 31 open: 9 more fit, the rest are closed at once, before anything is read from them.
  const more = [];
  for (let i = 0; i < 15; i++) {
    const open = await openAndWrite(server.port, '127.0.0.4', '');
    sockets.push(open.socket);
    more.push(open.closed);
  }
  // Meanwhile another address is served.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

  for (const answer of await Promise.all(slowHeaders)) assert.match(answer, /^HTTP\/1\.1 408 /);
  // Engine.IO answers the handshake-less POST at once; the body still trickling in is cut by the request timeout.
  assert.match(await slowBody.closed, /HTTP\/1\.1 408 Request Timeout\r\nConnection: close\r\n\r\n$/);
  const extra = await Promise.all(more);
  // The 9 that fit were closed by the headers timeout (408), the 6 beyond the cap with nothing said.
  assert.deepEqual([extra.filter((answer) => answer === '').length, extra.filter((answer) => /^HTTP\/1\.1 408 /.test(answer)).length], [6, 9]);
});
