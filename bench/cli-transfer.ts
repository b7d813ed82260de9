/**
 * The command-line client end to end: `sharethings send FILE --wait` to
 * `sharethings receive` through a ShareThings server (3 processes), a
 * 1 GiB file by default: throughput and each CLI's peak RSS, against `cp`
 * of the same file on the same disk (and `cat FILE > /dev/null`) in the
 * same run. Not in `make bench` (registry.ts): a few seconds per GiB.
 *
 *   npx tsx bench/cli-transfer.ts [--mib 1024] [--runs 3]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_ARGS, sha256File, watchPeakRss, writeRepeatedFile } from '../client/cli/test-helpers.ts';
import { PROJECT_ROOT } from './lib/proc.ts';
import { startShareThings } from './lib/servers.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '1024' }, runs: { type: 'string', default: '3' } } });
const MIB = 1024 * 1024;
const size = Number(values.mib) * MIB;
const runs = Number(values.runs);
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

async function timed(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { stdio: 'ignore', shell: false });
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`${command} exited ${code}`);
  return (performance.now() - started) / 1000;
}

function cli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  const rss = watchPeakRss(child.pid!);
  const exited = once(child, 'exit').then(([code]) => {
    if (code !== 0) throw new Error(`sharethings ${args[0]} exited ${code}`);
    return rss.stop();
  });
  return { exited, output: () => out };
}

const dir = await mkdtemp(path.join(tmpdir(), 'sharethings-bench-cli-'));
try {
  const file = path.join(dir, 'source.bin');
  await writeRepeatedFile(file, size);
  const digest = await sha256File(file);
  const rows: Array<{ cp: number; cat: number; seconds: number; sender: number; receiver: number }> = [];
  for (let run = 1; run <= runs; run++) {
    const cat = await timed('sh', ['-c', `cat '${file}' > /dev/null`]);
    const cp = await timed('cp', [file, path.join(dir, 'copy.bin')]);
    await rm(path.join(dir, 'copy.bin'));
    const server = await startShareThings();
    try {
      const env = { SHARETHINGS_SERVER: server.url, SHARETHINGS_PASSPHRASE: 'bench passphrase' };
      const sender = cli(['send', file, '--session', `bench-${run}`, '--wait', '--json'], env);
      while (!sender.output().includes('"event":"waiting"')) await new Promise((resolve) => setTimeout(resolve, 20));
      const out = path.join(dir, `out-${run}`);
      const started = performance.now();
      const receiver = cli(['receive', `bench-${run}`, '--out', out, '--json'], env);
      const [senderPeak, receiverPeak] = await Promise.all([sender.exited, receiver.exited]);
      const seconds = (performance.now() - started) / 1000;
      if ((await sha256File(path.join(out, 'source.bin'))) !== digest) throw new Error('the received file differs');
      await rm(out, { recursive: true });
      rows.push({ cat, cp, seconds, sender: senderPeak, receiver: receiverPeak });
      process.stderr.write(`run ${run}: ${seconds.toFixed(2)} s, cp ${cp.toFixed(2)} s, cat ${cat.toFixed(2)} s, peak RSS sender ${(senderPeak / 1e6).toFixed(0)} MB receiver ${(receiverPeak / 1e6).toFixed(0)} MB\n`);
    } finally {
      await server.stop();
    }
  }
  const mbps = (seconds: number) => (size / 1e6 / seconds).toFixed(0);
  const cliSeconds = median(rows.map((row) => row.seconds));
  const cpSeconds = median(rows.map((row) => row.cp));
  console.log(`| path (${values.mib} MiB, median of ${runs}) | MB/s | ratio to cp | peak RSS sender / receiver |`);
  console.log('| --- | ---: | ---: | --- |');
  console.log(`| \`cat FILE > /dev/null\` (baseline) | ${mbps(median(rows.map((row) => row.cat)))} | | |`);
  console.log(`| \`cp FILE COPY\` (baseline) | ${mbps(cpSeconds)} | 1.00 | |`);
  console.log(`| \`sharethings send\` → server → \`sharethings receive\` | ${mbps(cliSeconds)} | ${(cpSeconds / cliSeconds).toFixed(2)} | ${(median(rows.map((row) => row.sender)) / 1e6).toFixed(0)} / ${(median(rows.map((row) => row.receiver)) / 1e6).toFixed(0)} MB |`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
