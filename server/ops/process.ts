/**
 * Starting the programs a cluster runs on (redis-server, Swift, haproxy,
 * nodes) for the tests and for `make cluster`: attached to the caller (tests:
 * they end with it) or detached with their output in a log file (make
 * cluster: they outlive it, and cluster-stop ends them by pid).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync } from 'node:fs';
import net from 'node:net';

export interface Started {
  pid: number;
  /** Attached processes only. */
  child: ChildProcess | undefined;
  /** Output so far (attached processes only). */
  output(): string;
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Detached, its output appended to this file: it outlives the caller. */
  logFile?: string;
}

export function startProcess(command: string, args: string[], options: StartOptions = {}): Started {
  const env = { ...process.env, ...options.env };
  if (options.logFile) {
    const out = openSync(options.logFile, 'a');
    const child = spawn(command, args, { cwd: options.cwd, env, detached: true, stdio: ['ignore', out, out] });
    child.unref();
    const pid = child.pid!;
    return { pid, child: undefined, output: () => '', stop: (signal = 'SIGTERM') => stopPid(pid, signal) };
  }
  const child = spawn(command, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (data: Buffer) => {
    // Keep the tail only: enough to say why a process failed.
    output = (output + data.toString()).slice(-20_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = once(child, 'exit').then(() => undefined);
  return {
    pid: child.pid!,
    child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signals a process that is not our child and waits (at most 10 s, then SIGKILL) until it is gone. */
export async function stopPid(pid: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Polls `probe` until it returns true, at most `timeoutMs`; `describe` says
 * what was awaited if it never did, with the probe's last failure. With
 * `rethrow`, a probe that throws ends the wait at once (it knows it never will).
 */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, describe: () => string, options: { rethrow?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let failure: unknown;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      if (options.rethrow) throw error;
      failure = error;
    }
    if (Date.now() > deadline) {
      const last = failure instanceof Error ? ` (last: ${failure.name}: ${failure.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port nothing listens on right now on 127.0.0.1 (the kernel's pick for port 0). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
