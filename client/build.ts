/**
 * Builds the web client into dist/client: an ESM bundle with a content hash in
 * its name (served as immutable), source maps, and index.html pointing at it.
 * `--watch` rebuilds on change.
 */
import { build, context, type BuildOptions } from 'esbuild';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const clientDir = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(clientDir, '..', 'dist', 'client');

const options: BuildOptions = {
  entryPoints: { app: path.join(clientDir, 'main.ts') },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  entryNames: '[name]-[hash]',
  outdir: outDir,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
};

async function writeIndex(script: string): Promise<void> {
  const template = await readFile(path.join(clientDir, 'index.html'), 'utf8');
  await writeFile(path.join(outDir, 'index.html'), template.replace('%APP_SCRIPT%', `./${script}`));
  await copyFile(path.join(clientDir, 'favicon.svg'), path.join(outDir, 'favicon.svg'));
}

function scriptOf(metafile: NonNullable<Awaited<ReturnType<typeof build>>['metafile']>): string {
  const output = Object.keys(metafile.outputs).find((file) => file.endsWith('.js'));
  if (!output) throw new Error('esbuild produced no JavaScript output');
  return path.basename(output);
}

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

if (process.argv.includes('--watch')) {
  const ctx = await context({
    ...options,
    plugins: [{ name: 'index', setup: (b) => b.onEnd((r) => (r.metafile ? writeIndex(scriptOf(r.metafile)) : undefined)) }],
  });
  await ctx.watch();
  process.stdout.write(`watching client sources, writing ${path.relative(process.cwd(), outDir)}\n`);
} else {
  const result = await build(options);
  await writeIndex(scriptOf(result.metafile!));
  process.stdout.write(`built ${path.relative(process.cwd(), outDir)}\n`);
}
