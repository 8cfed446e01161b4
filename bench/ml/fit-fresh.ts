/**
 * bench/ml/fit.ts's protocol for crucial alone, in fresh processes: each process makes one warm-up
 * fit, then `--fits` timed fits back to back, and reports the median of the first five timed ones
 * (what fit.ts prints) and every fit's time. With `--base`, processes of the base checkout and of
 * this tree alternate (B N B N ...), so a loaded machine's swings hit both alike and, unlike
 * bench/ml/fit-ab.ts (both trees in one process), neither side runs with the other's JIT state.
 * Shows the warm-up of a process's first fits, which a long in-process A/B hides.
 *
 *   npx tsx bench/ml/fit-fresh.ts [--base /tmp/base] [--pairs 6] [--fits 8] [--algorithm kmeans] [--size 10k]
 *
 * The data is bench/ml/fit.ts's (run it once to make it).
 */
import { Command } from 'commander';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { PARAMS } from './params.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };
const here = resolve(import.meta.dirname, '../..');

interface Opts { base?: string; pairs: number; fits: number; algorithm: 'kmeans' | 'logreg'; size: string; data: string; child?: string }

/** One process's fits (ms): the warm-up first. */
async function child(root: string, o: Opts): Promise<void> {
  const file = join(o.data, o.size, `${o.algorithm === 'kmeans' ? 'blobs' : 'classification'}-train.arrow`);
  const mod = o.algorithm === 'kmeans'
    ? (await import(join(root, 'ml/kmeans/fit.ts'))).fitKMeans
    : (await import(join(root, 'ml/logreg/fit.ts'))).fitLogisticRegression;
  const { shutdown } = await import(join(root, 'core/index.ts')) as { shutdown: () => Promise<void> };
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i <= o.fits; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await mod(file, PARAMS[o.algorithm], { workers: 2 });
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  await shutdown();
  process.stdout.write(JSON.stringify({ wall, cpu }) + '\n');
}

function run(root: string, o: Opts): { wall: number[]; cpu: number[] } {
  const args = ['tsx', join(here, 'bench/ml/fit-fresh.ts'), '--child', root, '--fits', String(o.fits), '--algorithm', o.algorithm, '--size', o.size, '--data', o.data];
  const out = execFileSync('npx', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { wall: number[]; cpu: number[] };
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/fit-fresh.ts')
    .option('--base <dir>', 'base checkout (node_modules linked)')
    .option('--pairs <n>', 'processes per side', (v) => Number(v), 6)
    .option('--fits <n>', 'timed fits per process (after one warm-up)', (v) => Number(v), 8)
    .option('--algorithm <a>', 'kmeans or logreg', 'kmeans')
    .option('--size <s>', 'a size made by bench/ml/fit.ts', '10k')
    .option('--data <dir>', 'where bench/ml/fit.ts made the data', '/tmp/crucial-ml-bench')
    .option('--child <root>', '(internal) run the fits of this tree and print them')
    .parse()
    .opts<Opts>();
  if (o.child) return child(o.child, o);
  const sides: Array<['base' | 'new', string]> = o.base ? [['base', resolve(o.base)], ['new', here]] : [['new', here]];
  const fit5: Record<string, number[]> = { base: [], new: [] }, cpu5: Record<string, number[]> = { base: [], new: [] };
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(' ');
  console.log(`fit-fresh: ${o.algorithm} ${o.size}, ${o.pairs} processes per side, 1 warm-up + ${o.fits} fits each; load at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (let p = 0; p < o.pairs; p++) {
    for (const [side, root] of p % 2 === 0 ? sides : [...sides].reverse()) {
      const t = run(root, o);
      const m = median(t.wall.slice(1, 6)), c = median(t.cpu.slice(1, 6));
      fit5[side]!.push(m);
      cpu5[side]!.push(c);
      console.log(`${side.padEnd(4)} pair ${p + 1}: median of fits 1-5 ${m.toFixed(1)} ms (CPU ${c.toFixed(1)}) | wall (warm-up first) ${fmt(t.wall)} | CPU ${fmt(t.cpu.slice(1))} | load ${loadavg()[0]!.toFixed(1)}`);
    }
  }
  for (const [side] of sides) console.log(`${side}: median over processes of fit.ts's figure (median of fits 1-5) ${median(fit5[side]!).toFixed(1)} ms (${fmt(fit5[side]!)}); CPU ${median(cpu5[side]!).toFixed(1)} ms (${fmt(cpu5[side]!)})`);
  if (o.base) {
    console.log(`new/base per pair, wall: ${fit5['new']!.map((v, i) => (v / fit5['base']![i]!).toFixed(2)).join(' ')}`);
    console.log(`new/base per pair, CPU: ${cpu5['new']!.map((v, i) => (v / cpu5['base']![i]!).toFixed(2)).join(' ')}`);
  }
  console.log(`load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

await main();
