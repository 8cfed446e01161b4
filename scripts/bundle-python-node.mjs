#!/usr/bin/env node
// Bundles the DSO node the Python package embeds (bridges/python/node/embedded.ts) into one ESM
// file, bridges/python/crucial/_node/crucial-node.mjs, that the wheel carries and the system node
// runs, and the local pool's worker (bridges/python/node/worker.ts) next to it as crucial-worker.mjs:
// the executor service's ml.fit jobs run cloud threads there. `@Serializable` classes name
// crucial-worker.mjs as their module (the stack-based callerModuleUrl cannot tell one bundled
// module from another), and it exports every task class. An optional argument names another
// output directory (tests build a bundle of their own). piscina starts its own worker script
// (`worker.js` beside its index, found through __dirname): it is bundled into _node/piscina/ with a
// package.json saying CommonJS, and the node bundle's __dirname points there. zeromq (the optional libzmq transport, a
// native addon) is replaced by a stub that says what to install if `CRUCIAL_TRANSPORT=libzmq` asks for it; the default transport is plain node:net.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'bridges', 'python', 'crucial', '_node');
const out = join(outDir, 'crucial-node.mjs');
const workerOut = join(outDir, 'crucial-worker.mjs');
const cliOut = join(outDir, 'crucial-cli.mjs');

// Inside a bundle every class's module is the bundle: name the worker bundle, which exports the task classes.
const bundledCaller = {
  name: 'bundled-caller-module',
  setup(b) {
    b.onLoad({ filter: /[\\/]core[\\/]objects[\\/]caller\.ts$/ }, () => ({
      contents: "export function callerModuleUrl() { return new URL('./crucial-worker.mjs', import.meta.url).href; }",
      loader: 'ts',
    }));
  },
};

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

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [zeromqStub, bundledCaller],
};
// CommonJS dependencies inside an ESM bundle still call require() for node built-ins.
// piscina's index resolves its worker script from __dirname: the bundled one (below).
const piscinaDir = "import { fileURLToPath as __crucialPath } from 'node:url'; const __dirname = __crucialPath(new URL('./piscina/', import.meta.url));";
const requireShim = "import { createRequire as __crucialRequire } from 'node:module'; const require = __crucialRequire(import.meta.url);";
// The Python side starts the node without running `node --version` first (a process of its own on the
// start-up path, issue 10): a node too old stops here, before any of the bundle runs, and Python then
// names the version (crucial.client.context.find_node).
const versionCheck = "if (Number(process.versions.node.split('.')[0]) < 20) { console.error('crucial: the bundled DSO node needs Node.js >= 20, this is ' + process.version); process.exit(3); }";
await build({
  ...common,
  entryPoints: [join(root, 'bridges', 'python', 'node', 'embedded.ts')],
  outfile: out,
  banner: { js: `// crucial ${version}: the embedded DSO node of the Python package, bundled from the TypeScript sources.\n${requireShim}\n${versionCheck}\n${piscinaDir}` },
});
await build({
  ...common,
  entryPoints: [join(root, 'bridges', 'python', 'node', 'worker.ts')],
  outfile: workerOut,
  banner: { js: `// crucial ${version}: the worker thread of the Python package's embedded node, bundled from the TypeScript sources.\n${requireShim}` },
});
// The `crucial` command line (`python -m crucial ...`): a pip-only user's `crucial dso start`.
await build({
  ...common,
  entryPoints: [join(root, 'core', 'cli', 'main.ts')],
  outfile: cliOut,
  define: { __CRUCIAL_VERSION__: JSON.stringify(version) },
  banner: { js: `// crucial ${version}: the crucial command line of the Python package, bundled from the TypeScript sources.\n${requireShim}\n${versionCheck}\n${piscinaDir}\nglobalThis[Symbol.for('crucial.localPool.workerFile')] = new URL('./crucial-worker.mjs', import.meta.url).href;` },
});
const piscinaOut = join(outDir, 'piscina');
mkdirSync(piscinaOut, { recursive: true });
await build({
  ...common,
  format: 'cjs',
  // Only for a niceIncrement, which crucial never sets (piscina catches the failed require).
  external: ['@napi-rs/nice'],
  entryPoints: [join(dirname(createRequire(import.meta.url).resolve('piscina')), 'worker.js')],
  outfile: join(piscinaOut, 'worker.js'),
  banner: { js: `// piscina's worker script, bundled for crucial ${version}'s embedded node.` },
});
// Whatever package.json sits above the wheel (a checkout's says "module"), this file is CommonJS.
writeFileSync(join(piscinaOut, 'package.json'), '{ "type": "commonjs" }\n');
// The pool loads its workers through this CommonJS shim, found beside the node bundle (workers/local/worker-shim.cjs).
copyFileSync(join(root, 'workers', 'local', 'worker-shim.cjs'), join(outDir, 'worker-shim.cjs'));
console.log(`bundled ${out}, ${workerOut}, ${cliOut} and ${join(piscinaOut, 'worker.js')}`);
