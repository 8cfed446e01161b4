#!/usr/bin/env node
// `npm run build`: the package's dist/. tsc writes the declarations (.d.ts and their maps; tsconfig.build.json);
// esbuild bundles the JavaScript: one file per entry (the package's exports, the CLI, the pool's worker,
// the modules that define @Serializable task classes) at the path tsc would have given it, plus shared
// chunks in dist/chunks/, with source maps. A program and each worker thread then load a handful of
// files instead of 50-75 ES modules each (start-up, issue 10). Copies the pmem addon's sources beside
// the pmem entry so an installed package can build the optional addon on first use (`--pmem` only) and
// the pool's CommonJS worker shim beside the worker. Then bundles the Python package's embedded node
// (scripts/bundle-python-node.mjs).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

/** Modules whose @Serializable classes a worker imports by URL: each is an entry, so its file exports them. */
const TASK_MODULES = ['ml/kmeans/task.ts', 'ml/logreg/task.ts', 'ml/forest/task.ts'];
const ENTRIES = [
  'core/index.ts', 'core/internal.ts', 'dso/index.ts', 'pmem/index.ts', 'ml/index.ts', // package.json exports
  'core/cli/main.ts', // core/cli/bin.js
  'workers/local/worker.ts', // workers/local/pool.ts
  ...TASK_MODULES,
];

// Code bundled into a chunk runs with the chunk's import.meta.url. Every use of it in the sources
// means "where this file's compiled JS sits" (a sibling file, the package root, the own-frames test of
// core/objects/caller.ts), so it becomes that path under the dist/ the chunk itself lies in.
const toJs = (file) => relative(root, file).split(sep).join('/').replace(/\.ts$/, '.js');
const distUrl = (rel) => `new URL(${JSON.stringify(rel)}, import.meta.url.slice(0, import.meta.url.lastIndexOf("/dist/") + 6)).href`;
const STRING_COMMENT_OR_OWN_URL = /('(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`|\/\/[^\n]*|\/\*[\s\S]*?\*\/)|\bimport\.meta\.url\b/g;
const ownPaths = {
  name: 'crucial-own-paths',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      let text = readFileSync(args.path, 'utf8');
      const rel = toJs(args.path);
      // Expressions only: one in a string or a comment (an error message's advice) stays as written.
      if (text.includes('import.meta.url')) text = text.replace(STRING_COMMENT_OR_OWN_URL, (m, skipped) => skipped ?? distUrl(rel));
      // A class's module is read from the stack (core/objects/caller.ts), which in a bundle names a
      // chunk: the task modules name their own entry file instead.
      if (!rel.startsWith('core/') && !TASK_MODULES.includes(rel.replace(/\.js$/, '.ts')) && /^@Serializable\(/m.test(text)) {
        throw new Error(`${rel} defines @Serializable classes: add it to TASK_MODULES in scripts/build.mjs`);
      }
      if (TASK_MODULES.includes(rel.replace(/\.js$/, '.ts'))) {
        // Loud if the decorator's form changed: a class left naming a chunk would not load in a worker.
        if (!text.includes('@Serializable()')) throw new Error(`${rel}: no @Serializable() to give its module (scripts/build.mjs TASK_MODULES)`);
        text = text.replaceAll('@Serializable()', `@Serializable({ module: ${distUrl(rel)} })`);
      }
      return { contents: text, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: ENTRIES.map((e) => join(root, e)),
  outbase: root,
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies stay packages of their own (a user's apache-arrow Table must be the one crucial checks
  // against), except @msgpack/msgpack: a CommonJS build of 26 files that every thread would load one by one.
  external: Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.devDependencies }).filter((d) => d !== '@msgpack/msgpack'),
  sourcemap: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and comments out (names kept; the source maps lead back): every thread parses these
  // files at start, and 30 % fewer bytes took ~15 ms off a cold first result (bench/startup.ts).
  minifyWhitespace: true,
  // ES builds of the bundled dependency (@msgpack/msgpack's "module"), not its CommonJS main.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [ownPaths],
});

mkdirSync(join(dist, 'pmem', 'native'), { recursive: true });
for (const f of ['binding.gyp', 'pmem.c']) copyFileSync(join(root, 'pmem', 'native', f), join(dist, 'pmem', 'native', f));
// The pool's CommonJS worker shim (workers/local/worker-shim.cjs), loaded by path beside worker.js.
copyFileSync(join(root, 'workers', 'local', 'worker-shim.cjs'), join(dist, 'workers', 'local', 'worker-shim.cjs'));
await import('./bundle-python-node.mjs');
console.log('built dist/');
