/**
 * Cluster: what several nodes cost against one. One sender shares one item
 * to 1 receiver (relay) and to 10 (fan-out), through the SDK (encrypted,
 * stored), with sender and receivers placed four ways:
 *
 * - single (baseline): one node on its own, disk store, everyone connected to it;
 * - same-node: a cluster (Redis + Swift's S3 API), everyone on node1;
 * - cross-node: sender on node1, receivers on node2 (chunks cross Redis);
 * - haproxy: everyone through HAProxy (the session's affinity key puts them on one node).
 *
 * Reports aggregate delivered MB/s (as bench/fanout.ts: receivers x item
 * bytes / time from the sender's start to the last chunk read), delivery
 * latency, the bytes Redis relayed per item byte, and the CPU of the nodes.
 * The single node and the cluster run side by side in the same run.
 *
 *   npx tsx bench/cluster.ts [--receivers 1,10] [--size 32m] [--runs 3] [--variants single,same-node,cross-node,haproxy]
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW } from '../client/sdk/index.ts';
import { benchMain, listValue, numberValue, pick, stringValue, type BenchOutcome } from './lib/cli.ts';
import { formatNumber, formatSize, parseSize } from './lib/format.ts';
import { MANY_CLIENTS_ENV, summarise } from './lib/load.ts';
import { spawnTs, stopAll, type TsChild } from './lib/proc.ts';
import { makeRow, type BenchRow } from './lib/report.ts';
import { startShareThings, type ServerHandle } from './lib/servers.ts';
import { medianOf, rotate } from './lib/stats.ts';
import { metric } from '../server/testing/fixed-port.ts';
import type { FanoutPeerOptions, FanoutReceiversResult, FanoutSenderResult } from './fanout/common.ts';
import { startClusterInfra, type ClusterInfra } from './cluster/infra.ts';

const VARIANTS = ['single', 'same-node', 'cross-node', 'haproxy'] as const;
type Variant = (typeof VARIANTS)[number];

interface ClusterBenchOptions {
  receivers: number[];
  size: number;
  runs: number;
  variants: Variant[];
  timeoutMs: number;
}

interface Measurement {
  aggregateMBps: number;
  latency: ReturnType<typeof summarise>;
  /** Bytes Redis sent (to every node) per item byte delivered to one receiver. */
  redisPerByte: number;
  nodesCpu: number;
  /** Chunks held back from slow receivers (fetched from the store instead), on every node. */
  deferred: number;
}

interface Placement {
  senderUrl: string;
  receiverUrl: string;
  servers: ServerHandle[];
}

function placement(variant: Variant, single: ServerHandle | undefined, cluster: ClusterInfra | undefined): Placement {
  if (variant === 'single') return { senderUrl: single!.url, receiverUrl: single!.url, servers: [single!] };
  const [one, two] = cluster!.nodes as [ServerHandle, ServerHandle];
  if (variant === 'same-node') return { senderUrl: one.url, receiverUrl: one.url, servers: cluster!.nodes };
  if (variant === 'cross-node') return { senderUrl: one.url, receiverUrl: two.url, servers: cluster!.nodes };
  return { senderUrl: cluster!.proxy.url, receiverUrl: cluster!.proxy.url, servers: cluster!.nodes };
}

const cpuOf = (servers: ServerHandle[]) => servers.reduce((sum, server) => sum + (server.cpuSeconds() ?? 0), 0);
const deferredOf = async (servers: ServerHandle[]) =>
  (await Promise.all(servers.map((server) => metric(server.url, 'sharethings_chunks_deferred_total')))).reduce((a, b) => a + b, 0);

async function measure(opts: ClusterBenchOptions, where: Placement, cluster: ClusterInfra | undefined, receivers: number): Promise<Measurement> {
  const common = {
    variant: 'sdk' as const, sessionId: `cluster-${randomUUID()}`, size: opts.size, chunkSize: DEFAULT_CHUNK_SIZE,
    window: DEFAULT_WINDOW, timeoutMs: opts.timeoutMs,
  };
  const children: TsChild[] = [];
  try {
    const group = spawnTs('bench/fanout/peer.ts', {
      label: `receivers x${receivers}`,
      options: { ...common, url: where.receiverUrl, role: 'receivers', receivers, firstIndex: 0 } satisfies FanoutPeerOptions,
    });
    children.push(group);
    await group.ready(60_000);
    const sender = spawnTs('bench/fanout/peer.ts', {
      label: 'sender',
      options: { ...common, url: where.senderUrl, role: 'sender', receivers: 0, firstIndex: 0 } satisfies FanoutPeerOptions,
    });
    children.push(sender);
    await sender.ready(60_000);
    const redisBefore = (await cluster?.redisBytesOut()) ?? 0;
    const deferredBefore = await deferredOf(where.servers);
    const cpuBefore = cpuOf(where.servers);
    sender.send('go');
    const [sent, got] = await Promise.all([
      sender.result<FanoutSenderResult>(opts.timeoutMs + 5_000),
      group.result<FanoutReceiversResult>(opts.timeoutMs + 5_000),
    ]);
    for (const [index, r] of got.receivers.entries()) {
      if (r.bytes !== opts.size) throw new Error(`receiver ${index} got ${r.bytes} bytes, expected ${opts.size}`);
    }
    const seconds = (Math.max(...got.receivers.map((r) => r.lastNs)) - sent.startNs) / 1e9;
    const nodesCpu = (cpuOf(where.servers) - cpuBefore) / seconds;
    const redisBytes = ((await cluster?.redisBytesOut()) ?? 0) - redisBefore;
    return {
      aggregateMBps: (receivers * opts.size) / seconds / 1e6,
      latency: summarise(got.latenciesMs),
      redisPerByte: redisBytes / opts.size,
      nodesCpu,
      deferred: (await deferredOf(where.servers)) - deferredBefore,
    };
  } finally {
    await stopAll(children, 2_000);
  }
}

async function run(opts: ClusterBenchOptions, ctx: { smoke: boolean; log: (line: string) => void }): Promise<BenchOutcome> {
  const { log } = ctx;
  const needsCluster = opts.variants.some((variant) => variant !== 'single');
  const single = opts.variants.includes('single') ? await startShareThings({ label: 'single node', env: MANY_CLIENTS_ENV }) : undefined;
  const cluster = needsCluster ? await startClusterInfra(2, log).catch(async (error) => (await single?.stop(), Promise.reject(error))) : undefined;
  const rows: BenchRow[] = [];
  const caseOf = (n: number) => `${n} receiver${n === 1 ? '' : 's'}`;
  const ceilings: number[] = [];
  try {
    if (cluster) {
      for (let runIndex = 0; runIndex < opts.runs; runIndex++) ceilings.push(await cluster.objectStoreMBps(opts.size, DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW));
      log(`  object store alone: ${ceilings.map((value) => formatNumber(value)).join(', ')} MB/s`);
    }
    for (const receivers of opts.receivers) {
      const measured = new Map<Variant, Measurement[]>(opts.variants.map((variant) => [variant, []]));
      for (let runIndex = 0; runIndex < opts.runs; runIndex++) {
        for (const variant of rotate(opts.variants, runIndex)) {
          const m = await measure(opts, placement(variant, single, cluster), variant === 'single' ? undefined : cluster, receivers);
          measured.get(variant)!.push(m);
          log(`  ${caseOf(receivers)} run ${runIndex + 1}/${opts.runs} ${variant.padEnd(10)} ${formatNumber(m.aggregateMBps).padStart(6)} MB/s, ` +
            `latency p50/p99 ${m.latency.p50.toFixed(1)}/${m.latency.p99.toFixed(1)} ms, redis ${m.redisPerByte.toFixed(2)} B/B, nodes cpu ${m.nodesCpu.toFixed(2)}, ` +
            `${m.deferred} chunks held back`);
        }
      }
      for (const variant of opts.variants) {
        const list = measured.get(variant)!;
        const details = {
          latencyP50Ms: medianOf(list.map((m) => m.latency.p50)) ?? null,
          latencyP99Ms: medianOf(list.map((m) => m.latency.p99)) ?? null,
          redisBytesPerItemByte: medianOf(list.map((m) => m.redisPerByte)) ?? null,
          nodesCpu: medianOf(list.map((m) => m.nodesCpu)) ?? null,
          deferredChunks: medianOf(list.map((m) => m.deferred)) ?? null,
        };
        const f = (value: number | null, digits = 2) => (value === null ? '?' : value.toFixed(digits));
        rows.push(makeRow({
          case: caseOf(receivers),
          variant,
          unit: 'MB/s',
          runs: list.map((m) => m.aggregateMBps),
          baseline: variant === 'single',
          details,
          detailText: `latency p50/p99 ${f(details.latencyP50Ms, 1)}/${f(details.latencyP99Ms, 1)} ms; ` +
            `Redis ${f(details.redisBytesPerItemByte)} B per item byte; node CPU ${f(details.nodesCpu)} cores; ${f(details.deferredChunks, 0)} chunks held back`,
        }));
      }
    }
  } finally {
    await single?.stop();
    await cluster?.stop();
  }
  return {
    options: { ...opts, size: formatSize(opts.size) },
    baselineVariant: 'single',
    variants: [...opts.variants],
    cases: opts.receivers.map(caseOf),
    rows,
    notes: [
      `one ${formatSize(opts.size)} item in ${formatSize(DEFAULT_CHUNK_SIZE)} chunks, window ${DEFAULT_WINDOW}, SDK sender and receivers (websocket), each group its own process; ` +
        'MB/s = receivers x item bytes / (last chunk read anywhere - sender start)',
      'single = one node, disk store; same-node / cross-node / haproxy = 2 nodes with Redis (pub/sub adapter, records) and Swift s3api (chunk objects), ' +
        'sender on node1 and receivers on node1 / node2 / wherever HAProxy sends them (the affinity key: one node)',
      'Redis B per item byte = bytes Redis sent to its clients during the transfer / item size: ~0 when the session\'s members are on one node (chunks stay local), ' +
        'one per node subscribed when they cross (the classic adapter delivers every published message to every node, the sender\'s included)',
      ...(ceilings.length > 0
        ? [`the object store alone (Swift s3api, this machine): ${formatNumber(medianOf(ceilings) ?? NaN)} MB/s median of ${ceilings.length} ` +
            `(${formatSize(opts.size)} PUT as ${formatSize(DEFAULT_CHUNK_SIZE)} objects, ${DEFAULT_WINDOW} at a time): a stored chunk is acknowledged only once its object is written, so this bounds one sender`]
        : []),
    ],
  };
}

await benchMain<ClusterBenchOptions>({
  name: 'cluster',
  title: 'Cluster: 1 sender -> N receivers on one node, across two nodes, and through HAProxy, vs a single node',
  usage: `npx tsx bench/cluster.ts [flags]
  --receivers LIST   receiver counts (default 1,10; smoke 1)
  --size SIZE        item size (default 32m; smoke 512k)
  --runs N           runs per case and variant, median reported (default 3; smoke 1)
  --variants LIST    ${VARIANTS.join(',')}
  --timeout SECONDS  bound on one run (default 180; smoke 60)`,
  options: {
    receivers: { type: 'string' },
    size: { type: 'string' },
    runs: { type: 'string' },
    variants: { type: 'string' },
    timeout: { type: 'string' },
  },
  parse(values, smoke) {
    return {
      receivers: (listValue(values, 'receivers') ?? (smoke ? ['1'] : ['1', '10'])).map((n) => {
        const value = Number(n);
        if (!Number.isInteger(value) || value < 1 || value > 200) throw new Error(`--receivers: invalid count "${n}"`);
        return value;
      }),
      size: parseSize(stringValue(values, 'size') ?? (smoke ? '512k' : '32m')),
      runs: numberValue(values, 'runs', smoke ? 1 : 3, (n) => Number.isInteger(n) && n >= 1 && n <= 20),
      variants: pick(listValue(values, 'variants') ?? [...VARIANTS], VARIANTS, 'variants'),
      timeoutMs: numberValue(values, 'timeout', smoke ? 60 : 180, (n) => n > 0 && n <= 3600) * 1000,
    };
  },
  run,
});
