/**
 * Import time of crucial's entries, each in a fresh process: `import 'crucial'` (compiled dist/ under
 * plain node, and the sources under tsx), the worker's module graph (workers/local/execute), and
 * `crucial/node`; with the heavy packages each one loads (traced by test/fixtures/import-trace).
 * `--base DIR` times another checkout the same way, interleaved run by run (before/after figures
 * under the same load): e.g. `git archive <commit> | tar -x -C /tmp/base`, link node_modules, build.
 *
 *   npx tsx bench/import-time.ts [--runs 9] [--base /tmp/base]
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TRACE = pathToFileURL(join(ROOT, 'test', 'fixtures', 'import-trace', 'register.mjs')).href;
const HEAVY = ['apache-arrow', 'piscina', 'esbuild', 'zeromq', '/pmem/', '/dso/', '/workers/local/pool'];

const opts = new Command('import-time')
  .option('--runs <n>', 'fresh processes per entry', (v) => Number(v), 9)
  .option('--base <dir>', 'another checkout (built) to time the same way, as "before"')
  .parse()
  .opts<{ runs: number; base?: string }>();

interface Entry { label: string; file: string; tsx: boolean }
function entries(root: string): Entry[] {
  const pick = (...c: string[]) => c.map((f) => join(root, f)).find(existsSync) ?? join(root, c[0]!);
  return [
    { label: "import 'crucial' (dist, node)", file: join(root, 'dist/core/index.js'), tsx: false },
    // A bundled dist/ (scripts/build.mjs) has the worker entry only; older builds had every module.
    { label: 'worker graph (dist, node)', file: pick('dist/workers/local/worker.js', 'dist/workers/local/execute.js'), tsx: false },
    { label: "import 'crucial/node' (dist, node)", file: pick('dist/dso/index.js', 'dist/dso/node.js'), tsx: false },
    { label: "import 'crucial' (sources, tsx)", file: join(root, 'core/index.ts'), tsx: true },
    { label: 'worker graph (sources, tsx)', file: join(root, 'workers/local/execute.ts'), tsx: true },
  ];
}

const PROBE = `const t = performance.now(); await import(process.argv[1]); const ms = performance.now() - t;
let heavy = [];
try { const { default: list } = await import('import-trace:list'); heavy = ${JSON.stringify(HEAVY)}.filter((h) => list.some((u) => u.includes('/node_modules/' + h) || (h.startsWith('/') && u.includes(h)))); } catch {}
console.log(JSON.stringify({ ms, heavy }));`;

function once(e: Entry, trace: boolean): { ms: number; heavy: string[] } {
  const args = [...(e.tsx ? ['--import', 'tsx'] : []), ...(trace ? ['--import', TRACE] : []), '--input-type=module', '-e', PROBE, pathToFileURL(e.file).href];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CRUCIAL_WORKER: '1' } });
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (r.status !== 0 || !line) throw new Error(`${e.file}: ${r.stderr.slice(-1500)}`);
  return JSON.parse(line);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sides = [...(opts.base ? [{ name: 'before', root: opts.base }] : []), { name: opts.base ? 'after' : 'this checkout', root: ROOT }];
console.log(`import time, ${opts.runs} fresh processes per entry (interleaved); load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine, node ${process.version}\n`);
console.log('| entry | ' + sides.map((s) => `${s.name}: median (min-max) ms, heavy modules loaded`).join(' | ') + ' |');
console.log('| --- | ' + sides.map(() => '---').join(' | ') + ' |');
for (let i = 0; i < entries(ROOT).length; i++) {
  const cells: string[] = [];
  const per = sides.map((s) => ({ e: entries(s.root)[i]!, ms: [] as number[] }));
  const present = per.map((p) => existsSync(p.e.file));
  for (let r = 0; r < opts.runs; r++) per.forEach((p, k) => { if (present[k]) p.ms.push(once(p.e, false).ms); });
  per.forEach((p, k) => {
    if (!present[k]) { cells.push('(missing)'); return; }
    const heavy = once(p.e, true).heavy;
    cells.push(`${median(p.ms).toFixed(0)} (${Math.min(...p.ms).toFixed(0)}-${Math.max(...p.ms).toFixed(0)}), ${heavy.length ? heavy.join(' ') : 'none'}`);
  });
  console.log(`| ${per[0]!.e.label} | ${cells.join(' | ')} |`);
}
