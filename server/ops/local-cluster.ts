/**
 * The cluster `make cluster` runs on this machine: where its pieces listen
 * (the nodes where haproxy.cfg expects them), where they keep their data and
 * logs (run/cluster/, git-ignored), and the record of the processes it
 * started, so `make cluster-stop` ends exactly those.
 */
import { readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isRunning } from './process.ts';

export interface LocalClusterLayout {
  root: string;
  stateDir: string;
  logDir: string;
  pidsFile: string;
  haproxyConfig: string;
  certificate: string;
  /** The nodes haproxy.cfg lists: name and port. */
  nodes: Array<{ name: string; port: number }>;
  httpPort: number;
  httpsPort: number;
  redisPort: number;
  swiftPorts: { proxy: number; account: number; container: number; object: number };
  bucket: string;
}

/** Reads the nodes and front-end ports from the repository's haproxy.cfg. */
export function localClusterLayout(root: string): LocalClusterLayout {
  const haproxyConfig = path.join(root, 'haproxy.cfg');
  const config = readFileSync(haproxyConfig, 'utf8');
  const nodes = [...config.matchAll(/^\s*server (\S+) 127\.0\.0\.1:(\d+)$/gm)].map(([, name, port]) => ({ name: name!, port: Number(port) }));
  const port = (pattern: RegExp, what: string) => {
    const match = pattern.exec(config);
    if (!match) throw new Error(`haproxy.cfg has no ${what}`);
    return Number(match[1]);
  };
  const stateDir = path.join(root, 'run', 'cluster');
  return {
    root,
    stateDir,
    logDir: path.join(stateDir, 'logs'),
    pidsFile: path.join(stateDir, 'processes.json'),
    haproxyConfig,
    certificate: path.join(root, 'certs', 'haproxy.pem'),
    nodes,
    httpPort: port(/^\s*bind :(\d+)$/m, 'plain HTTP bind line'),
    httpsPort: port(/^\s*bind :(\d+) ssl /m, 'TLS bind line'),
    redisPort: 6390,
    swiftPorts: { proxy: 6280, account: 6282, container: 6281, object: 6283 },
    bucket: 'sharethings',
  };
}

/** A process make cluster started, with its command line to recognise it by (a pid may be reused after a reboot). */
export interface Recorded {
  name: string;
  pid: number;
  command: string;
}

export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return undefined;
  }
}

/** Whether the recorded process is still the one make cluster started. */
export function stillOurs(process: Recorded): boolean {
  return isRunning(process.pid) && commandLine(process.pid) === process.command;
}

export async function readRecord(layout: LocalClusterLayout): Promise<Recorded[]> {
  try {
    return JSON.parse(await readFile(layout.pidsFile, 'utf8')) as Recorded[];
  } catch {
    return [];
  }
}

export async function writeRecord(layout: LocalClusterLayout, processes: Recorded[]): Promise<void> {
  await writeFile(layout.pidsFile, `${JSON.stringify(processes, null, 2)}\n`);
}

export async function forgetRecord(layout: LocalClusterLayout): Promise<void> {
  await rm(layout.pidsFile, { force: true });
}
