/**
 * Finds a Debian-packaged tool (haproxy, redis-server, chromium, Swift) for
 * the tests and `make cluster`, installing it with apt-get when missing and
 * running as root. Under CI=true a missing tool fails the run; elsewhere the
 * caller skips, saying so loudly.
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

function aptInstall(packages: string[]): void {
  // Test files run in parallel and may install at the same moment: wait for dpkg's lock instead of failing.
  const run = (args: string[]) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['install', '-y', '-q', ...packages]);
  } catch {
    run(['update', '-q']);
    run(['install', '-y', '-q', ...packages]);
  }
}

/**
 * Returns the tool's path, or a reason to skip (outside CI). Throws in CI when
 * it cannot be had. `pkg` may name several packages the tool needs.
 */
export function requireDebianTool(command: string, pkg: string | string[], knownPath?: string): { path: string } | { skip: string } {
  const packages = typeof pkg === 'string' ? [pkg] : pkg;
  const found = (knownPath && existsSync(knownPath) ? knownPath : undefined) ?? which(command);
  if (found) return { path: found };
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot) {
    try {
      aptInstall(packages);
    } catch (error) {
      if (process.env.CI === 'true') throw new Error(`apt-get install ${packages.join(' ')} failed: ${String(error)}`);
    }
    const installed = (knownPath && existsSync(knownPath) ? knownPath : undefined) ?? which(command);
    if (installed) return { path: installed };
  }
  const reason = `SKIPPED: ${command} is not installed (Debian packages: ${packages.join(' ')}); run as root or install them to run this test`;
  if (process.env.CI === 'true') throw new Error(reason.replace('SKIPPED', 'CI requires it'));
  process.stderr.write(`\n*** ${reason} ***\n\n`);
  return { skip: reason };
}
