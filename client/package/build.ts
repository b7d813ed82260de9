/**
 * Builds the npm package into dist/package, a folder that is the package
 * itself: the bundles (bundles.ts), the .d.ts declarations (tsc with
 * ./tsconfig.json), its own package.json (manifest.ts) and README. `--pack`
 * then runs `npm pack` there, writing dist/sharethings-<version>.tgz.
 * `npx tsx client/package/build.ts [--pack]`; `make build`, `make pack`.
 */
import { execFile } from 'node:child_process';
import { chmod, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildBundles } from './bundles.ts';
import { packageManifest } from './manifest.ts';

const run = promisify(execFile);
const packageDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(packageDir, '..', '..');
export const PACKAGE_OUT_DIR = path.join(rootDir, 'dist', 'package');

async function buildDeclarations(outDir: string): Promise<void> {
  const tsc = path.join(rootDir, 'node_modules', '.bin', 'tsc');
  await run(tsc, ['-p', path.join(packageDir, 'tsconfig.json'), '--outDir', path.join(outDir, 'types')], { cwd: rootDir }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`tsc could not write the declarations:\n${error.stdout ?? String(error)}`);
    },
  );
}

/** Writes the package into `outDir` (replaced whole, so it never holds a half-written or stale build). */
export async function buildPackage(outDir = PACKAGE_OUT_DIR): Promise<void> {
  const next = `${outDir}.next-${process.pid}-${Date.now()}`;
  const old = `${outDir}.old-${process.pid}-${Date.now()}`;
  await mkdir(next, { recursive: true });
  try {
    const [{ cli }] = await Promise.all([buildBundles(next), buildDeclarations(next)]);
    if (cli) await chmod(path.join(next, 'bin', 'sharethings.js'), 0o755);
    const root = JSON.parse(await readFile(path.join(rootDir, 'package.json'), 'utf8'));
    await writeFile(path.join(next, 'package.json'), `${JSON.stringify(packageManifest(root, { cli }), null, 2)}\n`);
    await cp(path.join(rootDir, 'client', 'sdk', 'README.md'), path.join(next, 'README.md'));
    await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(next, outDir);
  } finally {
    await rm(next, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

/** `npm pack` of a built package folder into `destination`; resolves with the tarball's path. */
export async function packPackage(dir = PACKAGE_OUT_DIR, destination = path.dirname(dir)): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: dir });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (!packed) throw new Error('npm pack wrote no tarball');
  return path.join(destination, packed.filename);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  await buildPackage();
  const built = `built ${path.relative(process.cwd(), PACKAGE_OUT_DIR)}`;
  if (process.argv.includes('--pack')) process.stdout.write(`${built}; packed ${path.relative(process.cwd(), await packPackage())}\n`);
  else process.stdout.write(`${built} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
