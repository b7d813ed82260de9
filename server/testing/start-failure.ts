/** Runs the real server entry expecting it to refuse to start: resolves with its exit code and what it wrote to stderr. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { PROJECT_ROOT } from './harness.ts';

export async function failedStart(t: TestContext, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'server', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', HTTPS: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    // It started after all: stop it, the test will say so.
    if (/running at/.test(stdout)) child.kill('SIGKILL');
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
