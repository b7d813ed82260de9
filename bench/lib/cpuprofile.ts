/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self
 * time, by total (inclusive) time, and self time per package/module.
 * Times come from the sample deltas, so they are real milliseconds.
 *
 *   npx tsx bench/lib/cpuprofile.ts FILE.cpuprofile [--top N]
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatTable } from './format.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  wallMs: number;
  /** Sampled time minus (idle). */
  busyMs: number;
  functions: FunctionCost[];
  /** Self time grouped by package or project directory. */
  byModule: Array<{ module: string; selfMs: number }>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  if (!url) return '';
  let file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const nodeModules = file.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) return file.slice(nodeModules + '/node_modules/'.length);
  const cwd = process.cwd() + path.sep;
  if (file.startsWith(cwd)) file = file.slice(cwd.length);
  return file;
}

function moduleOf(frame: CallFrame): string {
  const name = frame.functionName;
  if (SPECIAL.has(name)) return name;
  const url = frame.url;
  if (!url) return '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: internals';
  const short = shortUrl(url);
  if (url.includes('/node_modules/')) {
    const parts = short.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const parts = short.split('/');
  return parts.length > 1 ? `${parts.slice(0, -1).join('/')}/` : short;
}

/** Time windows in microseconds of CLOCK_MONOTONIC (V8's profile clock; process.hrtime ns / 1000). */
export type Windows = ReadonlyArray<readonly [number, number]>;

/** Summarises the whole profile, or only the samples inside `windows` (e.g. the measured transfers). */
export function summariseProfile(profile: CpuProfile, windows?: Windows): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}\u0000${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const byModule = new Map<string, number>();
  let sampled = 0;
  let idle = 0;
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute the next delta to it (V8's convention varies; the error is one sample).
    at += profile.timeDeltas[i] ?? 0;
    if (windows && !windows.some(([from, to]) => at >= from && at <= to)) continue;
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(profile.samples[i]!);
    if (!leaf) continue;
    sampled += ms;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += ms;
      continue;
    }
    const leafKey = keyOf(leaf.callFrame);
    self.set(leafKey, (self.get(leafKey) ?? 0) + ms);
    const module = moduleOf(leaf.callFrame);
    byModule.set(module, (byModule.get(module) ?? 0) + ms);
    // Inclusive time: each distinct function on the stack once per sample (recursion counted once).
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (frame.functionName === '(root)') break;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      total.set(key, (total.get(key) ?? 0) + ms);
    }
  }
  const functions = [...total.entries()].map(([key, totalMs]) => {
    const [name = '', where = ''] = key.split('\u0000');
    return { name, where, selfMs: self.get(key) ?? 0, totalMs };
  });
  return {
    wallMs: (windows ? windows.reduce((sum, [from, to]) => sum + (to - from), 0) : profile.endTime - profile.startTime) / 1000,
    busyMs: sampled - idle,
    functions,
    byModule: [...byModule.entries()].map(([module, selfMs]) => ({ module, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}

export function formatSummary(summary: ProfileSummary, top = 20): string {
  const pct = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1)}%`;
  const ms = (value: number) => value.toFixed(0);
  const selfTop = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  const totalTop = [...summary.functions]
    .filter((f) => !SPECIAL.has(f.name))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top);
  return [
    `wall ${ms(summary.wallMs)} ms, busy (not idle) ${ms(summary.busyMs)} ms (${((summary.busyMs / summary.wallMs) * 100).toFixed(0)}% of one core); percentages are of busy time`,
    '',
    'Top self time:',
    formatTable(['self ms', 'self %', 'total %', 'function', 'where'],
      selfTop.map((f) => [ms(f.selfMs), pct(f.selfMs), pct(f.totalMs), f.name, f.where]), ['right', 'right', 'right']),
    '',
    'Self time by module:',
    formatTable(['self ms', 'self %', 'module'], summary.byModule.slice(0, top).map((m) => [ms(m.selfMs), pct(m.selfMs), m.module]), ['right', 'right']),
    '',
    'Top total (inclusive) time:',
    formatTable(['total ms', 'total %', 'self %', 'function', 'where'],
      totalTop.map((f) => [ms(f.totalMs), pct(f.totalMs), pct(f.selfMs), f.name, f.where]), ['right', 'right', 'right']),
  ].join('\n');
}

export async function summariseProfileFile(file: string, opts: { top?: number; windows?: Windows } = {}): Promise<string> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  return formatSummary(summariseProfile(profile, opts.windows), opts.top);
}

/**
 * --cpu-prof writes one profile per thread (tsx's loader hooks run in a worker thread), named
 * CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: the main thread's (id 0) in `dir`, if any.
 */
export async function mainThreadProfile(dir: string): Promise<string | undefined> {
  const files = await readdir(dir).catch(() => [] as string[]);
  const main = files.filter((file) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(file)).sort();
  return main.length > 0 ? path.join(dir, main.at(-1)!) : undefined;
}

/** Now on the clock --cpu-prof timestamps use (CLOCK_MONOTONIC, µs): to cut a profile to a window. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0) {
    process.stderr.write('usage: npx tsx bench/lib/cpuprofile.ts FILE.cpuprofile... [--top N]\n');
    process.exit(2);
  }
  for (const file of args) process.stdout.write(`${file}\n${await summariseProfileFile(file, { top })}\n\n`);
}
