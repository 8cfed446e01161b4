#!/usr/bin/env node
// `npm run build`: compiles the TypeScript sources to dist/ (ESM JS, .d.ts, source maps) with tsc
// (tsconfig.build.json rewrites the sources' `.ts` imports to `.js`), and copies the pmem addon's
// sources beside the compiled pmem so an installed package can build the optional addon on first
// use (`--pmem` only). Then bundles the Python package's embedded node (scripts/bundle-python-node.mjs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
mkdirSync(join(dist, 'pmem', 'native'), { recursive: true });
for (const f of ['binding.gyp', 'pmem.c']) copyFileSync(join(root, 'pmem', 'native', f), join(dist, 'pmem', 'native', f));
// The pool's CommonJS worker shim (workers/local/worker-shim.cjs): tsc compiles only the TypeScript.
copyFileSync(join(root, 'workers', 'local', 'worker-shim.cjs'), join(dist, 'workers', 'local', 'worker-shim.cjs'));
await import('./bundle-python-node.mjs');
console.log('built dist/');
