/**
 * A load process of bench/reconnect.ts and bench/failover.ts. Commands on
 * stdin, events on stdout:
 *   go      -> connects and joins its clients          -> `joined`
 *   share   -> each session's sharer shares its items  -> `shared`
 * then any number of cycles (n = 1, 2, ...), each around one fault the parent
 * injects (a server restart, a node killed or drained, Redis restarted):
 *   fault   -> notes, from now on, which clients lose their connection -> `watching:n`
 *   settled -> (the fault is over) waits until every client that lost its
 *              connection has re-joined on its own, bounded -> `rejoined:n`
 *              (settled-all: every client, e.g. re-synced after a Redis outage)
 *   verify  -> every client lists history(); one fresh client per shared
 *              session reads every item and checks its SHA-256 -> `verified:n`
 * and finally
 *   done    -> result line (this process's peak RSS)
 */
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { DEFAULT_SOCKET_OPTIONS, ShareClient } from '../../client/sdk/index.ts';
import * as parser from '../../protocol/parser.ts';
import { childOptions, deadline, fail, finish, nowNs, sendReady } from '../lib/child.ts';
import { BENCH_PASSPHRASE, Commands, fastKeys, sendEvent, sleep } from '../lib/load.ts';
import type { CycleResult, ReconnectLoadOptions, SharedItem } from './common.ts';

const options = childOptions<ReconnectLoadOptions>();
deadline(options.timeoutMs, `reconnect load ${options.first}`);
process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));
const commands = new Commands();

const indices: number[] = [];
for (let i = options.first; i < options.total; i += options.step) indices.push(i);
const sessionIndex = (client: number) => Math.floor(client / options.perSession);
const sessionId = (session: number) => `${options.sessionPrefix}-${session}`;
const errors: string[] = [];
const noteError = (message: string) => {
  if (errors.length < 10) errors.push(message);
};
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Runs `work` over `list`, `limit` at a time. */
async function pool<T>(list: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, list.length) }, async () => {
    while (next < list.length) await work(list[next++]!);
  }));
}

/** One client, whatever the variant: join once, re-join by itself after a reconnection. */
interface Member {
  index: number;
  join(): Promise<void>;
  /** Since the fault: the first loss of the connection, the next connection, and the first re-join (or a re-sync). */
  lostNs: number | null;
  connectedNs: number | null;
  rejoinNs: number | null;
  failed: boolean;
  armed: boolean;
  close(): void;
}

/** Starts watching for a new fault. */
function arm(member: Member): void {
  member.lostNs = null;
  member.connectedNs = null;
  member.rejoinNs = null;
  member.failed = false;
  member.armed = true;
}

function lost(member: Member): void {
  if (member.armed && member.lostNs === null) member.lostNs = nowNs();
}

function connected(member: Member): void {
  if (member.lostNs !== null && member.connectedNs === null) member.connectedNs = nowNs();
}

function rejoined(member: Member): void {
  if (member.armed && member.rejoinNs === null) member.rejoinNs = nowNs();
}

function sdkMember(index: number): Member & { client: ShareClient } {
  const client = new ShareClient({
    url: options.url,
    clientName: `client-${index}`,
    deriveKeys: fastKeys,
    // The SDK's reconnection defaults (delay 1 s doubling to 5 s, unbounded attempts); websocket only, like the baseline.
    socketOptions: { transports: ['websocket'] },
  });
  const member = {
    index,
    client,
    lostNs: null as number | null,
    connectedNs: null as number | null,
    rejoinNs: null as number | null,
    failed: false,
    armed: false,
    join: async () => void (await client.join(sessionId(sessionIndex(index)), BENCH_PASSPHRASE)),
    close: () => client.close(),
  };
  client.on('disconnect', () => lost(member));
  client.on('connect', () => connected(member));
  // After a reconnection, or on the server's re-sync notice (the client stayed connected).
  client.on('rejoin', () => rejoined(member));
  client.on('session-rejoin-failed', ({ error }) => {
    member.failed = true;
    noteError(`client ${index}: re-join failed: ${error.code} ${error.message}`);
  });
  return member;
}

function bareMember(index: number): Member {
  const room = sessionId(sessionIndex(index));
  const socket: Socket = io(options.url, { ...DEFAULT_SOCKET_OPTIONS, transports: ['websocket'], parser, forceNew: true, autoConnect: false });
  let joined = false;
  let firstJoin: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const member: Member = {
    index,
    lostNs: null,
    connectedNs: null,
    rejoinNs: null,
    failed: false,
    armed: false,
    join: () => new Promise<void>((resolve, reject) => {
      firstJoin = { resolve, reject };
      socket.once('connect_error', reject);
      socket.connect();
    }),
    close: () => socket.disconnect(),
  };
  // On every connect (the first and each reconnection): join the room again, like an app would.
  socket.on('connect', () => {
    connected(member);
    socket.timeout(20_000).emit('join', room, (error: Error | null) => {
      if (error) {
        noteError(`client ${index}: join: ${error.message}`);
        firstJoin?.reject(error);
        return;
      }
      if (joined) rejoined(member);
      joined = true;
      firstJoin?.resolve();
      firstJoin = undefined;
    });
  });
  socket.on('disconnect', () => lost(member));
  return member;
}

const members = indices.map((index) => (options.variant === 'sdk' ? sdkMember(index) : bareMember(index)));

await sendReady();
await commands.next('go');
await pool(members, 20, (member) => member.join());
await sendEvent('joined', { count: members.length });

await commands.next('share');
const shared: SharedItem[] = [];
if (options.variant === 'sdk') {
  const sharers = members.filter((member) => member.index % options.perSession === 0) as Array<ReturnType<typeof sdkMember>>;
  await pool(sharers, 10, async (sharer) => {
    for (let k = 0; k < options.items; k++) {
      const session = sessionIndex(sharer.index);
      if (k % 2 === 0) {
        const text = `item ${k} of session ${session}: ${randomBytes(16).toString('hex')}`;
        const { contentId } = await sharer.client.shareText(text);
        shared.push({ session, contentId, sha256: sha256(Buffer.from(text, 'utf8')) });
      } else {
        const bytes = randomBytes(options.fileBytes);
        const { contentId } = await sharer.client.shareFile(bytes, { name: `file-${k}.bin`, type: 'application/octet-stream' });
        shared.push({ session, contentId, sha256: sha256(bytes) });
      }
    }
  });
}
await sendEvent('shared', { items: shared.length });

for (let cycle = 1; ; cycle++) {
  if ((await commands.nextOf(['fault', 'done'])) === 'done') break;
  // How late this process ran its callbacks meanwhile: its own share of the measured times.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  for (const member of members) arm(member);
  await sendEvent(`watching:${cycle}`);
  const everyone = (await commands.nextOf(['settled', 'settled-all'])) === 'settled-all';
  // Those that lost their connection (or, told so, every client): each re-joins by itself, bounded.
  const limit = performance.now() + options.rejoinLimitMs;
  const waiting = () => members.some((m) => (everyone || m.lostNs !== null) && m.rejoinNs === null && !m.failed);
  while (performance.now() < limit && waiting()) await sleep(50);
  lag.disable();
  await sendEvent(`rejoined:${cycle}`, { count: members.filter((m) => m.rejoinNs !== null).length });
  await commands.next('verify');
  const result: CycleResult = {
    clients: members.length,
    rejoinNs: members.filter((m) => m.lostNs !== null).map((m) => m.rejoinNs),
    connectedNs: members.flatMap((m) => (m.connectedNs !== null ? [m.connectedNs] : [])),
    resyncNs: members.filter((m) => m.lostNs === null && m.rejoinNs !== null).map((m) => m.rejoinNs!),
    rejoinFailed: members.filter((m) => m.failed).length,
    loopDelayMaxMs: lag.max / 1e6,
    ...(await verify()),
    shared,
    errors: errors.splice(0),
  };
  await sendEvent(`verified:${cycle}`, result);
}
for (const member of members) member.close();
await finish({ clients: members.length });

/** What every client sees after the fault, and what a fresh client reads back. */
async function verify(): Promise<Pick<CycleResult, 'seen' | 'verified' | 'corrupt'>> {
  const seen: CycleResult['seen'] = [];
  let verified = 0;
  const corrupt: string[] = [];
  if (options.variant !== 'sdk') return { seen, verified, corrupt };
  await pool(members as Array<ReturnType<typeof sdkMember>>, 20, async (member) => {
    const session = sessionIndex(member.index);
    try {
      const page = await member.client.history({ limit: 200 });
      seen.push({ session, ids: page.items.map((item) => item.contentId), incomplete: page.items.filter((item) => !item.complete).length });
    } catch (error) {
      noteError(`client ${member.index}: history: ${(error as Error).message}`);
      seen.push({ session, ids: [], incomplete: 0 });
    }
  });
  // A client that was never connected before the fault reads everything back from the server's store.
  const sessions = [...new Set(shared.map((item) => item.session))];
  await pool(sessions, 5, async (session) => {
    const reader = new ShareClient({ url: options.url, clientName: `verifier-${session}`, deriveKeys: fastKeys, socketOptions: { transports: ['websocket'], reconnection: false } });
    try {
      const info = await reader.join(sessionId(session), BENCH_PASSPHRASE);
      const items = new Map(info.history.items.map((item) => [item.contentId, item]));
      for (const expected of shared.filter((item) => item.session === session)) {
        const item = items.get(expected.contentId);
        if (!item) continue; // counted as lost through `seen`
        const digest = sha256(await item.bytes());
        if (digest === expected.sha256) verified += 1;
        else corrupt.push(expected.contentId);
      }
    } catch (error) {
      noteError(`verifier ${session}: ${(error as Error).message}`);
    } finally {
      reader.close();
    }
  });
  return { seen, verified, corrupt };
}
