/**
 * The fixed cost of a fit on small data, A/B in one process: each fit run both as one cloud thread
 * (the default below `minRowsPerPartition` rows per partition: the iterations run in the thread)
 * and split over `--workers` partitions (`minRowsPerPartition: 0`: the seed's layout, a barrier
 * round through the node per iteration, as every fit ran before), alternating, `--rounds` times;
 * scikit-learn (n_jobs=2, bench/ml/peers.py, data in memory) between the rounds. Medians, so a
 * shared machine's load hits both sides alike. Same data and parameters as bench/ml/fit.ts.
 *
 *   npx tsx bench/ml/fit-small.ts [--sizes 10k,100k] [--algorithms kmeans,logreg,forest] [--rounds 5] [--no-sklearn]
 */
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { ALGS, PARAMS, type Alg } from './params.ts';
import { ensureVenv, PEERS_PACKAGES, ROOT } from './venv.ts';

const DATASET: Record<Alg, string> = { kmeans: 'blobs', logreg: 'classification', forest: 'classification' };
const log = (s: string): void => { process.stderr.write(`${s}\n`); };
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1]! : NaN; };

function sklearnRound(python: string, jobs: object[]): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [join(ROOT, 'bench/ml/peers.py'), '--system', 'sklearn'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) { reject(new Error(`peers.py exited ${code}`)); return; }
      const m = new Map<string, number>();
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const r = JSON.parse(line) as { algorithm: string; size: string; fitSeconds?: number };
        if (r.fitSeconds !== undefined) m.set(`${r.algorithm} ${r.size}`, r.fitSeconds);
      }
      resolve(m);
    });
    child.stdin.end(JSON.stringify(jobs));
  });
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/fit-small.ts')
    .option('--sizes <list>', 'sizes made by bench/ml/fit.ts', '10k,100k')
    .option('--algorithms <list>', 'subset of kmeans,logreg,forest', 'kmeans,logreg,forest')
    .option('--rounds <n>', 'alternations', (v) => Number(v), 5)
    .option('--workers <n>', 'workers (the split fit\'s partitions)', (v) => Number(v), 2)
    .option('--data <dir>', 'where bench/ml/fit.ts made the data', '/tmp/crucial-ml-bench')
    .option('--one-min-rows <n>', 'minRowsPerPartition of the "one thread" side (default: the library default; e.g. 100000000 forces one thread on 1m)', (v) => Number(v))
    .option('--no-sklearn', 'crucial only')
    .parse()
    .opts<{ sizes: string; algorithms: string; rounds: number; workers: number; data: string; sklearn: boolean; oneMinRows?: number }>();
  const sizes = o.sizes.split(',');
  const algs = o.algorithms.split(',').filter((a): a is Alg => (ALGS as string[]).includes(a));
  const { fitKMeans } = await import('../../ml/kmeans/fit.ts');
  const { fitLogisticRegression } = await import('../../ml/logreg/fit.ts');
  const { fitRandomForest } = await import('../../ml/forest/fit.ts');
  const { shutdown } = await import('../../core/index.ts');
  const train = (alg: Alg, size: string) => join(o.data, size, `${DATASET[alg]}-train.arrow`);
  const fit = async (alg: Alg, size: string, split: boolean): Promise<number> => {
    const opts = { workers: o.workers, ...(split ? { minRowsPerPartition: 0 } : o.oneMinRows === undefined ? {} : { minRowsPerPartition: o.oneMinRows }) };
    const t0 = performance.now();
    if (alg === 'kmeans') await fitKMeans(train(alg, size), PARAMS.kmeans as never, opts);
    else if (alg === 'logreg') await fitLogisticRegression(train(alg, size), PARAMS.logreg, opts);
    else await fitRandomForest(train(alg, size), { ...PARAMS.forest, bootstrap: true } as never, opts);
    return (performance.now() - t0) / 1000;
  };
  const python = o.sklearn ? await ensureVenv('peers', PEERS_PACKAGES, log) : null;
  const jobs = sizes.flatMap((size) => algs.map((alg) => ({ algorithm: alg, size, params: PARAMS[alg], train: train(alg, size), test: join(o.data, size, `${DATASET[alg]}-test.arrow`) })));
  log(`load at the start ${load()}`);
  for (const alg of algs) { await fit(alg, sizes[0]!, false); await fit(alg, sizes[0]!, true); } // warm-up: pool, modules, WebAssembly
  const t: Record<string, { one: number[]; split: number[]; sk: number[] }> = {};
  for (let r = 0; r < o.rounds; r++) {
    for (const size of sizes) {
      for (const alg of algs) {
        const k = `${alg} ${size}`;
        t[k] ??= { one: [], split: [], sk: [] };
        // Alternate which goes first, so neither always runs after the other.
        const order = r % 2 === 0 ? [false, true] : [true, false];
        for (const split of order) (split ? t[k].split : t[k].one).push(await fit(alg, size, split));
      }
    }
    if (python) for (const [k, s] of await sklearnRound(python, jobs)) t[k]?.sk.push(s);
    log(`round ${r + 1}/${o.rounds} done, load ${load()}`);
  }
  await shutdown();
  console.log(`\nfit-small: ${o.rounds} rounds, medians in s; load at the end ${load()}`);
  console.log('| fit | one thread | split (2 partitions) | split/one | scikit-learn | one/sklearn | split/sklearn |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [k, v] of Object.entries(t)) {
    const one = median(v.one), split = median(v.split), sk = median(v.sk);
    console.log(`| ${k} | ${one.toFixed(3)} | ${split.toFixed(3)} | ${(split / one).toFixed(2)}x | ${Number.isNaN(sk) ? '-' : sk.toFixed(3)} | ${Number.isNaN(sk) ? '-' : (one / sk).toFixed(2) + 'x'} | ${Number.isNaN(sk) ? '-' : (split / sk).toFixed(2) + 'x'} |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
