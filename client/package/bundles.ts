/**
 * The package's JavaScript, bundled by esbuild with every dependency inside
 * (socket.io-client, ws, lit, valibot, ...), so installing the package pulls
 * none of the server's. One entry per export of manifest.ts:
 * - sdk/browser.js: the SDK for browsers and bundlers (no `ws`, no node:);
 * - sdk/node.js, sdk/node.cjs: the SDK for Node (client/sdk/node.ts), ESM and
 *   CommonJS (a `.ts` file in a CommonJS folder is `require`d by tsx);
 * - elements/index.js and the key-derivation worker beside it;
 * - protocol/index.js, protocol/index.cjs;
 * - bin/sharethings.js: the command-line client, when client/cli/main.ts exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const protocolDir = path.resolve(clientDir, '..', 'protocol');
export const CLI_ENTRY = path.join(clientDir, 'cli', 'main.ts');

const common: BuildOptions = {
  bundle: true,
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
};

/**
 * An ES module bundle for Node may hold CommonJS code (ws, debug) that calls
 * require() for Node's built-ins: give it a real one.
 */
const NODE_ESM_REQUIRE = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

/**
 * ws loads these native helpers if they are installed and works without them;
 * left to a require() at run time, a project that installs bufferutil gets its
 * faster masking.
 */
const OPTIONAL_NATIVE = ['bufferutil', 'utf-8-validate'];

function nodeBundle(entry: string, outBase: string, format: 'esm' | 'cjs', banner = ''): BuildOptions {
  const require = format === 'esm' ? NODE_ESM_REQUIRE : '';
  return {
    ...common,
    entryPoints: [entry],
    outfile: `${outBase}.${format === 'esm' ? 'js' : 'cjs'}`,
    platform: 'node',
    target: 'node20',
    format,
    external: OPTIONAL_NATIVE,
    keepNames: true, // node.ts's ShareClient shares its name with the class it extends: keep it, not "ShareClient2"
    banner: { js: [banner, require].filter(Boolean).join('\n') },
  };
}

/** esbuild keeps an entry's own `#!` line (first): add one only when client/cli/main.ts has none. */
function cliHashbang(): string {
  return readFileSync(CLI_ENTRY, 'utf8').startsWith('#!') ? '' : '#!/usr/bin/env node';
}

function bundles(outDir: string, withCli: boolean): BuildOptions[] {
  const out = (name: string) => path.join(outDir, name);
  const sdk = path.join(clientDir, 'sdk');
  const protocol = path.join(protocolDir, 'index.ts');
  return [
    { ...common, entryPoints: [path.join(sdk, 'index.ts')], outfile: out('sdk/browser.js'), platform: 'browser', format: 'esm' },
    nodeBundle(path.join(sdk, 'node.ts'), out('sdk/node'), 'esm'),
    nodeBundle(path.join(sdk, 'node.ts'), out('sdk/node'), 'cjs'),
    {
      ...common,
      entryPoints: [path.join(clientDir, 'main.ts')],
      outfile: out('elements/index.js'),
      platform: 'browser',
      format: 'esm',
      define: { DERIVE_KEYS_WORKER: JSON.stringify('./derive-keys.js') }, // beside the bundle (state/build-info.ts)
    },
    {
      ...common,
      entryPoints: [path.join(clientDir, 'workers', 'derive-keys.worker.ts')],
      outfile: out('elements/derive-keys.js'),
      platform: 'browser',
      format: 'iife', // a classic worker, as client/build.ts builds it
    },
    { ...common, entryPoints: [protocol], outfile: out('protocol/index.js'), platform: 'neutral', format: 'esm', mainFields: ['module', 'main'] },
    nodeBundle(protocol, out('protocol/index'), 'cjs'),
    ...(withCli ? [nodeBundle(CLI_ENTRY, out('bin/sharethings'), 'esm', cliHashbang())] : []),
  ];
}

/** Writes every bundle into `outDir`; says whether the command-line client was among them. */
export async function buildBundles(outDir: string): Promise<{ cli: boolean }> {
  const cli = existsSync(CLI_ENTRY);
  await Promise.all(bundles(outDir, cli).map((options) => build(options)));
  return { cli };
}
