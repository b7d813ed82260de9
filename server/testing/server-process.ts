/** Runs the real server entry (server/main.ts) as a child process, for kill -9 and restart tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { PROJECT_ROOT, type TestServer } from './harness.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  /** Everything it wrote to stdout so far (the lines `make run` shows). */
  stdout(): string;
  /** SIGKILL: no shutdown, no flush, like a crash. */
  kill9(): Promise<void>;
}

export async function spawnServer(
  t: TestContext,
  env: Record<string, string>,
  options: { nodeArgs?: string[] } = {},
): Promise<ServerProcess> {
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts')];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', HTTPS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => {
    stderr += data.toString();
    process.stderr.write(data);
  });
  const kill9 = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  };
  t.after(kill9);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const match = /running at (http:\/\/\S+)/.exec(out);
      if (match) resolve(match[1]!.replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { child, url, port: Number(new URL(url).port), kill9, stderr: () => stderr, stdout: () => out };
}

/** The shape the socket helpers of harness.ts take. */
export function asTestServer(server: ServerProcess, dataDir: string): TestServer {
  return { app: undefined as never, url: server.url, port: server.port, dataDir };
}
