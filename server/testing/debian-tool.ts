/**
 * Finds a Debian-packaged tool for tests (haproxy, redis-server, chromium),
 * installing it with apt-get when missing and running as root. Under CI=true
 * a missing tool fails the run; elsewhere the caller skips, saying so loudly.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

function aptInstall(pkg: string): void {
  const run = (args: string[]) => execFileSync('apt-get', args, { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['install', '-y', '-q', pkg]);
  } catch {
    run(['update', '-q']);
    run(['install', '-y', '-q', pkg]);
  }
}

/** Returns the tool's path, or a reason to skip (outside CI). Throws in CI when it cannot be had. */
export function requireDebianTool(command: string, pkg: string, knownPath?: string): { path: string } | { skip: string } {
  const found = (knownPath && existsSync(knownPath) ? knownPath : undefined) ?? which(command);
  if (found) return { path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    try {
      aptInstall(pkg);
    } catch (error) {
      if (process.env.CI === 'true') throw new Error(`apt-get install ${pkg} failed: ${String(error)}`);
    }
    const installed = (knownPath && existsSync(knownPath) ? knownPath : undefined) ?? which(command);
    if (installed) return { path: installed };
  }
  const reason = `SKIPPED: ${command} is not installed (Debian package "${pkg}"); run as root or install it to run this test`;
  if (process.env.CI === 'true') throw new Error(reason.replace('SKIPPED', 'CI requires it'));
  process.stderr.write(`\n*** ${reason} ***\n\n`);
  return { skip: reason };
}
