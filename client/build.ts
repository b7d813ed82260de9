/**
 * Builds the web client into dist/client:
 * - app-[hash].js: the elements (ESM, minified, source map), immutable;
 * - derive-keys-[hash].js: the key-derivation Worker, a separate entry whose
 *   name is compiled into the app (DERIVE_KEYS_WORKER);
 * - share-elements.js: a stable, revalidated alias of the app for pages that
 *   embed the elements (`<script type="module" src=".../share-elements.js">`);
 * - sdk-[hash].js and its stable alias sdk.js: the SDK alone (ShareClient),
 *   for pages on other origins (`import { ShareClient } from '.../sdk.js'`);
 * - register-service-worker-[hash].js: loaded by index.html only;
 * - index.html (pointing at the hashed scripts), favicon.svg, the web app
 *   manifest and its icons, embed-demo/;
 * - sw.js: the service worker (stable name, revalidated), with the list of
 *   the app shell's files to precache written in, so it is built last;
 * - FILE.br and FILE.gz beside every script, page, style and manifest of
 *   1 KiB or more (brotli quality 11, gzip level 9, made once here, not per
 *   request): server/http/static-files.ts sends them to browsers that accept them.
 * `npx tsx client/build.ts` builds once; `--watch` rebuilds the app on change.
 */
import { build, context, type BuildOptions, type Metafile } from 'esbuild';
import { cp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { precacheManifest } from './sw/precache-manifest.ts';

const clientDir = path.dirname(fileURLToPath(import.meta.url));
export const CLIENT_OUT_DIR = path.resolve(clientDir, '..', 'dist', 'client');

const common: BuildOptions = {
  bundle: true,
  target: 'es2022',
  minify: true,
  sourcemap: true,
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
};

function scriptOf(metafile: Metafile): string {
  const output = Object.keys(metafile.outputs).find((file) => file.endsWith('.js'));
  if (!output) throw new Error('esbuild produced no JavaScript output');
  return path.basename(output);
}

function appOptions(outDir: string, worker: string): BuildOptions {
  return {
    ...common,
    entryPoints: { app: path.join(clientDir, 'main.ts') },
    format: 'esm',
    outdir: outDir,
    define: { DERIVE_KEYS_WORKER: JSON.stringify(worker) },
  };
}

async function buildWorker(outDir: string): Promise<string> {
  const result = await build({
    ...common,
    entryPoints: { 'derive-keys': path.join(clientDir, 'workers', 'derive-keys.worker.ts') },
    format: 'iife', // a classic worker: also startable from a blob: URL on other origins
    outdir: outDir,
  });
  return scriptOf(result.metafile!);
}

async function buildRegister(outDir: string): Promise<string> {
  const result = await build({
    ...common,
    entryPoints: { 'register-service-worker': path.join(clientDir, 'register-service-worker.ts') },
    format: 'esm',
    outdir: outDir,
  });
  return scriptOf(result.metafile!);
}

/** The SDK's browser build, hashed (immutable), and sdk.js, the stable name pages import. */
async function buildSdk(outDir: string): Promise<void> {
  const result = await build({
    ...common,
    entryPoints: { sdk: path.join(clientDir, 'sdk', 'index.ts') },
    format: 'esm',
    outdir: outDir,
  });
  await writeFile(path.join(outDir, 'sdk.js'), `export * from './${scriptOf(result.metafile!)}';\n`);
}

const ICONS = ['icon-192.png', 'icon-512.png', 'icon-maskable-512.png', 'apple-touch-icon.png'].map((name) => `icons/${name}`);

/** The files the app's page needs to open without the server: the service worker precaches exactly these. */
function shellFiles(scripts: { app: string; worker: string; register: string }): string[] {
  return ['index.html', scripts.app, scripts.worker, scripts.register, 'favicon.svg', 'manifest.webmanifest', ...ICONS];
}

/** The service worker, with the shell's files and their revisions written in (workbox's precache manifest). */
async function buildServiceWorker(outDir: string, files: readonly string[]): Promise<void> {
  await build({
    ...common,
    entryPoints: [path.join(clientDir, 'sw', 'sw.ts')],
    entryNames: '[name]', // a stable name: the browser checks it for updates
    format: 'iife',
    outdir: outDir,
    define: {
      PRECACHE_MANIFEST: JSON.stringify(await precacheManifest(outDir, files)),
      'process.env.NODE_ENV': '"production"', // drops workbox's development logging
    },
  });
}

async function writePages(outDir: string, scripts: { app: string; worker: string; register: string }): Promise<void> {
  const { app, register } = scripts;
  const template = await readFile(path.join(clientDir, 'index.html'), 'utf8');
  const page = template.replaceAll('%APP_SCRIPT%', `./${app}`).replaceAll('%REGISTER_SCRIPT%', `./${register}`);
  await writeFile(path.join(outDir, 'index.html'), page);
  await writeFile(path.join(outDir, 'share-elements.js'), `export * from './${app}';\n`);
  await cp(path.join(clientDir, 'favicon.svg'), path.join(outDir, 'favicon.svg'));
  await cp(path.join(clientDir, 'manifest.webmanifest'), path.join(outDir, 'manifest.webmanifest'));
  await mkdir(path.join(outDir, 'icons'), { recursive: true });
  for (const icon of ICONS) await cp(path.join(clientDir, icon), path.join(outDir, icon));
  await cp(path.join(clientDir, 'embed-demo'), path.join(outDir, 'embed-demo'), { recursive: true });
  await buildServiceWorker(outDir, shellFiles(scripts));
}

/**
 * Worth compressing: the text a page loads. Not source maps (only devtools
 * fetch them, and brotli's quality 11 on them tripled the build's time).
 */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/;
const MIN_COMPRESS_BYTES = 1024;

/** Writes FILE.br and FILE.gz beside each compressible file under `dir`, when smaller than the file. */
export async function precompress(dir: string): Promise<number> {
  const brotli = promisify(brotliCompress);
  const gzipped = promisify(gzip);
  let written = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  await Promise.all(entries.map(async (entry) => {
    if (!entry.isFile() || !COMPRESSIBLE.test(entry.name)) return;
    const file = path.join(entry.parentPath, entry.name);
    const body = await readFile(file);
    if (body.byteLength < MIN_COMPRESS_BYTES) return;
    const variants: Array<[string, Buffer]> = [
      ['.br', await brotli(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.byteLength } })],
      ['.gz', await gzipped(body, { level: 9 })],
    ];
    for (const [suffix, bytes] of variants) {
      if (bytes.byteLength >= body.byteLength) continue;
      await writeFile(`${file}${suffix}`, bytes);
      written += 1;
    }
  }));
  return written;
}

/**
 * One full build; resolves with the names of the app and worker scripts.
 * Built beside `outDir` and swapped in at the end: a server already serving
 * `outDir` (`make cluster` builds while tests run) never finds it half-written.
 */
export async function buildClient(outDir = CLIENT_OUT_DIR): Promise<{ app: string; worker: string }> {
  const suffix = `${process.pid}-${Date.now()}`;
  const next = `${outDir}.next-${suffix}`;
  const old = `${outDir}.old-${suffix}`;
  await mkdir(next, { recursive: true });
  try {
    const worker = await buildWorker(next);
    const register = await buildRegister(next);
    await buildSdk(next);
    const result = await build(appOptions(next, worker));
    const app = scriptOf(result.metafile!);
    await writePages(next, { app, worker, register });
    await precompress(next);
    await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(next, outDir);
    return { app, worker };
  } finally {
    await rm(next, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}

async function watch(outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const worker = await buildWorker(outDir);
  const register = await buildRegister(outDir);
  await buildSdk(outDir);
  const pages = (app: string) => writePages(outDir, { app, worker, register });
  const ctx = await context({
    ...appOptions(outDir, worker),
    plugins: [{ name: 'pages', setup: (b) => b.onEnd((r) => (r.metafile ? pages(scriptOf(r.metafile)) : undefined)) }],
  });
  await ctx.watch();
  process.stdout.write(`watching client sources, writing ${path.relative(process.cwd(), outDir)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv.includes('--watch')) await watch(CLIENT_OUT_DIR);
  else {
    await buildClient();
    process.stdout.write(`built ${path.relative(process.cwd(), CLIENT_OUT_DIR)}\n`);
  }
}
