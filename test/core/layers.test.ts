/**
 * The package's layers: the protocol (core/protocol: wire, transport, errors) under the client
 * (core/client, objects, sync, threads), the node (dso/) and the workers; `import 'crucial'` is the
 * client and the protocol only. Fails on an import that goes upwards, and on `crucial` or a worker
 * loading the node, pmem, the pool or a heavy package it does not need (apache-arrow, piscina,
 * esbuild, zeromq) — checked both on the sources' static imports and in a fresh process.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACE = pathToFileURL(join(ROOT, 'test', 'fixtures', 'import-trace', 'register.mjs')).href;
const HEAVY_PACKAGES = ['apache-arrow', 'piscina', 'esbuild', 'zeromq'];
const NODE_SIDE = ['dso/', 'workers/', 'pmem/'];

/** Value imports of a TypeScript file (type-only imports vanish at run time); dynamic ones apart. */
export function importsOf(source: string): { static: string[]; dynamic: string[] } {
  const stat: string[] = [];
  const dyn: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\bfrom\s+)?['"]([^'"]+)['"]/gm)) {
    if (m[2] || (m[1] === 'export' && !m[3])) continue;
    stat.push(m[4]!);
  }
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) dyn.push(m[1]!);
  return { static: stat, dynamic: dyn };
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** Every file `entry` loads through static value imports, and the bare packages among them. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(readFileSync(file, 'utf8')).static) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => relative(ROOT, f)), packages: [...packages] };
}

/** Module URLs a fresh `node --import tsx` process resolves while importing `file`. */
function loadedBy(file: string): string[] {
  const probe = `await import(process.argv[1]); const { default: list } = await import('import-trace:list'); console.log(JSON.stringify(list));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', TRACE, '--input-type=module', '-e', probe, pathToFileURL(file).href],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CRUCIAL_WORKER: '1' } });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

function heavyIn(urls: string[]): string[] {
  return urls.filter((u) => HEAVY_PACKAGES.some((p) => u.includes(`/node_modules/${p}/`)) ||
    NODE_SIDE.some((d) => u.startsWith(pathToFileURL(join(ROOT, d)).href)));
}

describe('layers', () => {
  it('layers - nothing in core/protocol imports the client, the node, the workers, pmem or piscina/esbuild', () => {
    const bad: string[] = [];
    for (const file of tsFiles(join(ROOT, 'core', 'protocol'))) {
      const { static: s, dynamic: d } = importsOf(readFileSync(file, 'utf8'));
      for (const spec of [...s, ...d]) {
        const target = spec.startsWith('.') ? relative(ROOT, resolve(dirname(file), spec)) : spec;
        const upward = spec.startsWith('.') ? !target.startsWith('core/protocol/') : ['piscina', 'esbuild', 'crucial'].some((p) => spec === p || spec.startsWith(`${p}/`));
        if (upward) bad.push(`${relative(ROOT, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it("layers - core/index.ts's static imports reach no node, worker or pmem file and no apache-arrow, piscina, esbuild or zeromq", () => {
    const { files, packages } = staticGraph(join(ROOT, 'core', 'index.ts'));
    assert.ok(files.includes('core/protocol/wire/codec.ts'), 'the walk follows the imports');
    assert.deepEqual(files.filter((f) => NODE_SIDE.some((d) => f.startsWith(d))), []);
    assert.deepEqual(packages.filter((p) => HEAVY_PACKAGES.includes(p)), []);
  });

  it("layers - import 'crucial' in a fresh process loads none of them", () => {
    const urls = loadedBy(join(ROOT, 'core', 'index.ts'));
    assert.ok(urls.some((u) => u.endsWith('/core/protocol/wire/codec.ts')), 'the trace sees crucial\'s modules');
    assert.deepEqual(heavyIn(urls), []);
  });

  it('layers - the embedded node (dso/node.ts, what the SDK starts without CRUCIAL_DSO) loads no pmem, apache-arrow, piscina, esbuild or zeromq', () => {
    const urls = loadedBy(join(ROOT, 'dso', 'node.ts'));
    assert.ok(urls.some((u) => u.endsWith('/dso/store.ts')), 'the trace sees the node\'s modules');
    assert.deepEqual(heavyIn(urls).filter((u) => !u.startsWith(pathToFileURL(join(ROOT, 'dso')).href) || u.includes('/dso/persistence/')), []);
  });

  it("layers - a worker's module graph loads no node, pmem, apache-arrow, piscina, esbuild or zeromq", () => {
    const urls = loadedBy(join(ROOT, 'workers', 'local', 'execute.ts'));
    assert.ok(urls.some((u) => u.endsWith('/core/threads/task-codec.ts')), 'the trace sees the worker\'s modules');
    assert.deepEqual(heavyIn(urls).filter((u) => !u.includes('/workers/local/') || u.endsWith('/pool.ts')), []);
  });
});
