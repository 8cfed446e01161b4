#!/usr/bin/env node
// Bundles the DSO node the Python package embeds (bridges/python/node/embedded.ts) into one ESM
// file, bridges/python/crucial/_node/crucial-node.mjs, that the wheel carries and the system node
// runs. zeromq (the optional libzmq transport, a native addon) is replaced by a stub that says what
// to install if `CRUCIAL_TRANSPORT=libzmq` asks for it; the default transport is plain node:net.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'bridges', 'python', 'crucial', '_node', 'crucial-node.mjs');

const zeromqStub = {
  name: 'zeromq-stub',
  setup(b) {
    b.onResolve({ filter: /^zeromq$/ }, () => ({ path: 'zeromq', namespace: 'zeromq-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'zeromq-stub' }, () => ({
      contents: `const missing = () => { throw new Error("the libzmq transport needs zeromq.js, which this bundled node leaves out: use the default transport (unset CRUCIAL_TRANSPORT), or run a node from the npm package (npm install crucial zeromq) and point CRUCIAL_DSO at it"); };
export class Dealer { constructor() { missing(); } }
export class Router { constructor() { missing(); } }
export const context = {};`,
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: [join(root, 'bridges', 'python', 'node', 'embedded.ts')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [zeromqStub],
  // CommonJS dependencies inside an ESM bundle still call require() for node built-ins.
  banner: { js: `// crucial ${version}: the embedded DSO node of the Python package, bundled from the TypeScript sources.\nimport { createRequire as __crucialRequire } from 'node:module'; const require = __crucialRequire(import.meta.url);` },
});
console.log(`bundled ${out}`);
