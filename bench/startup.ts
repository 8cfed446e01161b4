/**
 * Start-up: time from program start (the spawn of a fresh process) to the first result, cold (a new
 * process, so a new worker pool and an embedded DSO node) and warm (the same program's next round
 * trips), for
 *   - crucial as a package: plain `node` on the compiled `dist/` (what `npm install crucial` gives);
 *   - crucial in the checkout: `tsx` on the TypeScript sources (the development flow);
 *   - a bare piscina pool (one worker per core, a one-line worker module): the floor;
 *   - Lithops localhost (`call_async` on a new FunctionExecutor), from Python.
 * Each crucial configuration is timed for its first CloudThread (a @Serializable task adding to an
 * AtomicLong) and its first `submit` of a function, and for how far apart one task per core submitted
 * together start in a new pool.
 *
 *   npx tsx bench/startup.ts [--runs 5] [--only dist,src,piscina,lithops] [--dist DIR] [--base DIR]
 *
 * `dist/` must be built first (`npm run build`); configurations whose entry is missing are skipped
 * with a note. `--dist DIR` times the package built in another checkout (e.g. a worktree of this
 * tree, away from uncommitted edits); `--base DIR` adds that checkout's package as "base", run in the
 * same rounds (before/after under the same load: e.g. `git worktree add /tmp/base <commit>`, link
 * node_modules, `node scripts/build.mjs` there). On a machine loaded by other jobs, `chrt -f 10 npx tsx
 * bench/startup.ts ...` (root; real-time FIFO for the bench and the programs it spawns, each run short
 * and bounded) gives the figures of a quiet machine: other jobs no longer take the cores mid-run.
 */
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const HERE = join(ROOT, 'bench', 'startup');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

const opts = new Command('startup')
  .description('time to the first cloud thread / submit result, cold and warm, vs bare piscina and Lithops localhost')
  .option('--runs <n>', 'cold runs (fresh processes) per configuration', (v) => Number(v), 5)
  .option('--only <list>', 'comma-separated subset of dist,src,piscina,lithops', 'dist,src,piscina,lithops')
  .option('--dist <dir>', 'checkout whose dist/ is the package timed', ROOT)
  .option('--base <dir>', 'another checkout whose dist/ is timed too, as "base", in the same rounds')
  .parse()
  .opts<{ runs: number; only: string; dist: string; base?: string }>();
const only = new Set(opts.only.split(','));

interface Sample { cold: number; warm: number[]; starts?: number[]; cpu?: number }

/** Spawns one program and returns ms from spawn to its first result, and its warm round trips. */
function runOnce(cmd: string, args: string[], env: Record<string, string> = {}): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) { reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`)); return; }
      const r = JSON.parse(line) as { first: number; warm: number[]; starts?: number[]; cpu?: number };
      resolve({ cold: r.first - t0, warm: r.warm, starts: r.starts, cpu: r.cpu });
    });
  });
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);

interface Config { name: string; key: string; cmd: string; args: string[]; env?: Record<string, string>; ready: boolean; note?: string }

const distEntryOf = (dir: string): string => join(dir, 'dist', 'core', 'index.js');
const crucial = (key: string, mode: string): Config[] => {
  const program = join(HERE, 'crucial-program.mjs');
  if (key === 'dist') {
    const pkg = (dir: string, label: string): Config => ({ name: `crucial package${label} (node + dist/), ${mode}`, key, cmd: process.execPath, args: [program, mode],
      env: { CRUCIAL_URL: pathToFileURL(distEntryOf(dir)).href }, ready: existsSync(distEntryOf(dir)), note: `${dir}/dist not built: run \`npm run build\`` });
    return [...(opts.base ? [pkg(opts.base, ', base')] : []), pkg(opts.dist, '')];
  }
  return [{ name: `crucial checkout (tsx + sources), ${mode}`, key, cmd: TSX, args: [program, mode],
    env: { CRUCIAL_URL: pathToFileURL(join(ROOT, 'core', 'index.ts')).href }, ready: true }];
};

const configs: Config[] = [
  ...crucial('dist', 'thread'), ...crucial('dist', 'submit'),
  ...crucial('src', 'thread'), ...crucial('src', 'submit'),
  { name: 'bare piscina pool, run', key: 'piscina', cmd: process.execPath, args: [join(HERE, 'piscina-program.mjs')], ready: true },
  { name: 'Lithops localhost, call_async', key: 'lithops', cmd: 'python3', args: [join(HERE, 'lithops_program.py')], ready: true },
  ...crucial('dist', 'together'), ...crucial('src', 'together'),
];

const chosen = configs.filter((c) => only.has(c.key));
// Runs are interleaved (one of each configuration per round), so every configuration sees the same
// machine load: on a shared machine that load moves the absolute figures more than anything else.
const samplesOf = new Map<Config, Sample[]>(chosen.map((c) => [c, []]));
for (let i = 0; i < opts.runs; i++) {
  for (const c of chosen) if (c.ready) samplesOf.get(c)!.push(await runOnce(c.cmd, c.args, c.env));
}
console.log(`start-up, ${opts.runs} cold runs each (fresh process per run, interleaved), warm = next round trips in the same program;`);
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores, node ${process.version}\n`);
console.log('| configuration | first result, cold (median, min-max) | vs bare piscina (medians) | CPU of all threads until then (median) | warm round trip (median) |');
console.log('| --- | --- | --- | --- | --- |');
const piscina = chosen.find((c) => c.key === 'piscina' && c.ready);
const piscinaMedian = piscina ? median(samplesOf.get(piscina)!.map((s) => s.cold)) : NaN;
const spreads: string[] = [];
for (const c of chosen) {
  if (!c.ready) { console.log(`| ${c.name} | skipped: ${c.note} | | | |`); continue; }
  const samples = samplesOf.get(c)!;
  const colds = samples.map((s) => s.cold);
  if (samples[0]!.starts) {
    const spread = samples.map((s) => Math.max(...s.starts!));
    spreads.push(`| ${c.name.replace(', together', '')} | ${samples[0]!.starts!.length} | ${fmt(median(spread))} (${fmt(Math.min(...spread))}-${fmt(Math.max(...spread))}) | ${fmt(median(colds))} |`);
    continue;
  }
  const ratio = Number.isNaN(piscinaMedian) ? '' : `${(median(colds) / piscinaMedian).toFixed(2)}x`;
  const cpus = samples.flatMap((s) => (s.cpu === undefined ? [] : [s.cpu]));
  console.log(`| ${c.name} | ${fmt(median(colds))} (${fmt(Math.min(...colds))}-${fmt(Math.max(...colds))}) | ${ratio} | ${cpus.length ? fmt(median(cpus)) : ''} | ${fmt(median(samples.flatMap((s) => s.warm)))} |`);
}
if (spreads.length > 0) {
  console.log('\ntasks submitted together in a new pool (each busy 50 ms): latest start after the earliest\n');
  console.log('| configuration | tasks | start spread (median, min-max) | all results, from program start |');
  console.log('| --- | --- | --- | --- |');
  for (const s of spreads) console.log(s);
}
