/**
 * Machine and process facts: peak RSS (the kernel's VmHWM), CPU time of a
 * process from /proc, and a description of the machine for the results.
 * Everything degrades to `undefined`/sampling off Linux.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

const require = createRequire(import.meta.url);

function statusField(pid: number | 'self', field: string): number | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of a live process (VmHWM), in bytes; undefined when unknown. */
export function peakRssBytes(pid: number): number | undefined {
  return statusField(pid, 'VmHWM');
}

// Off Linux, sample our own RSS every 100 ms and keep the maximum.
let sampledPeak = 0;
let sampler: NodeJS.Timeout | undefined;
function sampleRss(): void {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss());
}
if (statusField('self', 'VmHWM') === undefined) {
  sampleRss();
  sampler = setInterval(sampleRss, 100);
  sampler.unref();
}

/** This process's peak RSS in bytes: VmHWM when available, else the sampled maximum. */
export function selfPeakRssBytes(): number {
  const hwm = statusField('self', 'VmHWM');
  if (hwm !== undefined) return hwm;
  sampleRss();
  return sampledPeak;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds a live process has used so far (all threads); undefined off Linux. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; fields after it are space separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after the name.
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds the whole machine has spent busy (all cores, everything but idle
 * and iowait) since boot; undefined off Linux. The difference over a run minus
 * the benchmark's own processes is what everyone else used meanwhile.
 */
export function machineBusySeconds(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return (total - idle) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

export interface BufferutilInfo {
  /** bufferutil resolves from each copy of ws that takes part (each copy requires it by name). */
  resolvedFrom: Record<string, string | null>;
  /** The native addon loaded (not the JavaScript fallback). */
  native: boolean;
}

/** Which ws copies are installed and whether each finds the native bufferutil. */
export function bufferutilInfo(): BufferutilInfo {
  const resolvedFrom: Record<string, string | null> = {};
  const wsCopies: Record<string, () => string> = {
    ws: () => require.resolve('ws'),
    'engine.io/ws': () => createRequire(require.resolve('engine.io')).resolve('ws'),
    'engine.io-client/ws': () => createRequire(require.resolve('engine.io-client')).resolve('ws'),
  };
  for (const [name, resolveWs] of Object.entries(wsCopies)) {
    try {
      const wsPath = resolveWs();
      const version = (createRequire(wsPath)('./package.json') as { version: string }).version;
      let bufferutil: string | null = null;
      try {
        bufferutil = createRequire(wsPath).resolve('bufferutil');
      } catch {
        bufferutil = null;
      }
      resolvedFrom[`${name}@${version}`] = bufferutil;
    } catch {
      // that copy of ws is not installed
    }
  }
  let native = false;
  try {
    const addon = require('bufferutil') as { mask: (...args: unknown[]) => void };
    native = /\[native code\]/.test(Function.prototype.toString.call(addon.mask));
  } catch {
    native = false;
  }
  return { resolvedFrom, native };
}

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  totalMemoryMiB: number;
  node: string;
  platform: string;
  loadAverage: number[];
  bufferutil: BufferutilInfo;
  commit: string | null;
}

export function machineInfo(): MachineInfo {
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    commit = null;
  }
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    totalMemoryMiB: Math.round(os.totalmem() / 1024 ** 2),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
    bufferutil: bufferutilInfo(),
    commit,
  };
}
