/**
 * The package.json of the published package (dist/package/package.json),
 * derived from the repository's: same name, version, description, license
 * and engines, but none of its dependencies at run time (bundles.ts puts
 * them inside). Types come first in every export, as TypeScript reads the
 * conditions in order.
 */

interface RootManifest {
  name: string;
  version: string;
  description: string;
  license: string;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
}

/**
 * The declarations name the types of three bundled libraries (the
 * `socketOptions` of socket.io-client, valibot's payload schemas, Lit's
 * element base class): installed for TypeScript only; the code never loads
 * them.
 */
const TYPES_FROM = ['socket.io-client', 'valibot', 'lit'];

const TYPES = './types';

export function packageManifest(root: RootManifest, options: { cli: boolean }): Record<string, unknown> {
  const versionOf = (name: string) => {
    const range = root.dependencies[name];
    if (!range) throw new Error(`package.json has no dependency ${name}`);
    return range;
  };
  return {
    name: root.name,
    version: root.version,
    description: root.description,
    license: root.license,
    type: 'module',
    engines: root.engines,
    exports: {
      './sdk': {
        types: `${TYPES}/client/sdk/index.d.ts`,
        // Node gets the transports that mask in place (client/sdk/node.ts); everything else, the browser build.
        node: { import: './sdk/node.js', require: './sdk/node.cjs' },
        default: './sdk/browser.js',
      },
      './elements': { types: `${TYPES}/client/main.d.ts`, default: './elements/index.js' },
      './protocol': { types: `${TYPES}/protocol/index.d.ts`, import: './protocol/index.js', require: './protocol/index.cjs' },
      './package.json': './package.json',
    },
    ...(options.cli ? { bin: { sharethings: './bin/sharethings.js' } } : {}),
    files: ['sdk', 'elements', 'protocol', 'types', ...(options.cli ? ['bin'] : []), 'README.md'],
    dependencies: Object.fromEntries(TYPES_FROM.map((name) => [name, versionOf(name)])),
  };
}
