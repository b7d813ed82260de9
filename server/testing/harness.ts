/**
 * Test harness: a real server on port 0 and real socket.io clients. Every
 * resource registers its own cleanup with the test's `t.after`.
 */
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { io, type Socket, type ManagerOptions, type SocketOptions } from 'socket.io-client';
import * as parser from '../../protocol/parser.ts';
import type { AckResponse, ClientToServerEvents, JoinResult, ServerToClientEvents } from '../../protocol/events.ts';
import { deriveSessionKeys, signJoinProof, type SessionKeys } from '../../protocol/crypto/index.ts';
import { createApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  app: App;
  url: string;
  port: number;
  dataDir: string;
  /** With HTTPS=on in the environment: the HTTPS port. */
  httpsPort?: number | undefined;
}

/** Starts the app on 127.0.0.1 port 0 with the given environment on top of quiet defaults. */
export async function startServer(t: TestContext, env: Record<string, string> = {}): Promise<TestServer> {
  const ownDir = env.DATA_DIR === undefined ? await mkdtemp(path.join(tmpdir(), 'sharethings-test-')) : undefined;
  const dataDir = env.DATA_DIR ?? ownDir!;
  const config = loadConfig(
    { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', SHUTDOWN_TIMEOUT_MS: '2000', HTTPS: 'off', HTTPS_PORT: '0', ...env, PORT: '0', HOST: '127.0.0.1' },
    { clientDir: path.join(PROJECT_ROOT, 'dist', 'client'), dataDir },
  );
  const app = await createApp(config, { log: createLogger(config.logLevel) });
  app.httpServer.listen(0, '127.0.0.1');
  await once(app.httpServer, 'listening');
  if (app.secure) {
    app.secure.server.listen(0, '127.0.0.1');
    await once(app.secure.server, 'listening');
  }
  // Close before removing the data directory: closing writes the store's last records.
  t.after(async () => {
    await app.close();
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
  });
  const { port } = app.httpServer.address() as AddressInfo;
  const httpsPort = app.secure ? (app.secure.server.address() as AddressInfo).port : undefined;
  return { app, port, url: `http://127.0.0.1:${port}`, dataDir, httpsPort };
}

/** A fresh directory removed after the test. */
export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Connects a socket.io client (our parser unless another is given) and waits for `connect`. */
export async function connect(
  t: TestContext,
  server: TestServer,
  options: Partial<ManagerOptions & SocketOptions> = {},
): Promise<ClientSocket> {
  const socket: ClientSocket = io(server.url, {
    transports: ['websocket'],
    parser,
    reconnection: false,
    forceNew: true,
    ...options,
  });
  t.after(() => {
    socket.disconnect();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

// Tests derive keys with few PBKDF2 iterations: the server only ever sees the
// public verifier, so the iteration count is invisible to it.
const TEST_ITERATIONS = 1000;
const keyCache = new Map<string, Promise<SessionKeys>>();

export function testKeys(sessionId: string, passphrase: string): Promise<SessionKeys> {
  const key = `${sessionId}\u0000${passphrase}`;
  let keys = keyCache.get(key);
  if (!keys) {
    keys = deriveSessionKeys(sessionId, passphrase, TEST_ITERATIONS);
    keyCache.set(key, keys);
  }
  return keys;
}

/** Runs the challenge-response join on an open socket and returns the raw ack. */
export async function join(
  socket: ClientSocket,
  sessionId: string,
  clientName: string,
  passphrase = 'test passphrase',
): Promise<AckResponse<JoinResult>> {
  const keys = await testKeys(sessionId, passphrase);
  const challenge = await socket.timeout(5000).emitWithAck('join-challenge', { sessionId });
  if (!challenge.success) return challenge;
  const proof = await signJoinProof(keys, sessionId, new Uint8Array(challenge.challenge));
  return socket.timeout(5000).emitWithAck('join', { sessionId, clientName, verifier: keys.authPublicKey, proof });
}

/** Connects and joins a session; returns the socket and the join ack. */
export async function joinAs(
  t: TestContext,
  server: TestServer,
  sessionId: string,
  clientName: string,
  passphrase?: string,
): Promise<{ socket: ClientSocket; ack: JoinResult }> {
  const socket = await connect(t, server);
  const ack = await join(socket, sessionId, clientName, passphrase);
  if (!ack.success) throw new Error(`join failed: ${ack.code} ${ack.error}`);
  return { socket, ack };
}

/** Resolves with the next payload of a server event. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    socket.once(event as 'error', ((payload: unknown) => resolve(payload as never)) as never);
  });
}

/** Collects every payload of an event into an array, for "received nothing" checks. */
export function collect<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): unknown[] {
  const seen: unknown[] = [];
  socket.on(event as 'error', ((payload: unknown) => seen.push(payload)) as never);
  return seen;
}

/** A round trip through the server, so anything emitted before it has arrived. */
export async function flush(socket: ClientSocket): Promise<void> {
  await socket.timeout(5000).emitWithAck('leave', { sessionId: 'flush-probe-not-joined' });
}
