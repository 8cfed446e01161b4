/**
 * Fit time of crucial's ml/ (k-means, logistic regression, random forest; 2 workers = cloud threads)
 * against scikit-learn (n_jobs=2) and Spark MLlib (local[2]) on the same Arrow files, for each size,
 * with the quality each got (k-means inertia on the training rows, accuracy on the test rows), so
 * speed is never bought with quality.
 *
 *   npx tsx bench/ml/fit.ts [--sizes 10k,100k,1m] [--algorithms kmeans,logreg,forest] [--systems crucial,sklearn,spark] [--repeats 5] [--budget 10]
 *   npx tsx bench/ml/fit.ts --table crucial.json,peers.json     # one table from runs made apart (--json)
 *
 * Data: scripts/ml/datasets.py (blobs for k-means, classification for the two classifiers), made
 * once per size under --data (default /tmp/crucial-ml-bench). The peers run from `.venv-bench/peers`,
 * created on first use (bench/ml/venv.ts). What is timed:
 *   - sklearn and Spark: the fit call alone, data already in memory (Spark: a cached DataFrame, the
 *     session warm; its start-up is printed apart); one untimed warm-up fit per algorithm first.
 *   - crucial: the fit call on the Arrow file path, as a user runs it: workers read their own row
 *     ranges inside the timed call (so crucial's figure includes reading the data, the peers' does
 *     not); one untimed warm-up fit per algorithm first, on the smallest size.
 *   - every system alike: each row is fitted up to --repeats times (default 5), fewer once that row's
 *     timed fits add up to --budget seconds (default 10; at least one fit), and the row shows their
 *     median. Until 2026-12-02 each row was ONE timed fit after the warm-up, for every system: a
 *     single small fit is mostly noise on a loaded machine, and crucial's second-ever fit still pays
 *     the JIT's and WebAssembly tiers' warm-up (a fresh process's fits: ~40, 20, 15, 12, 10 ms at
 *     10k) where scikit-learn's compiled code has none. `--repeats 1` gives the old protocol.
 */
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { ensureVenv, PEERS_PACKAGES, ROOT } from './venv.ts';
import { checkQuality, type CrucialMl, loadCrucialMl, type Quality } from './crucial-fit.ts';
import { ALGS, PARAMS, type Alg } from './params.ts';

export { ALGS, PARAMS, type Alg } from './params.ts';
const SIZES: Record<string, number> = { '1k': 1_000, '10k': 10_000, '100k': 100_000, '1m': 1_000_000 };

const DATASET: Record<Alg, string> = { kmeans: 'blobs', logreg: 'classification', forest: 'classification' };

interface Row { system: string; algorithm: Alg; size: string; rows?: number; fitSeconds?: number; fits?: number[]; inertia?: number; accuracy?: number; error?: string }

/** The timed fits' protocol, the same for every system (see the header). */
interface Timing { repeats: number; budget: number }

const log = (s: string): void => { process.stderr.write(`${s}\n`); };

function parseList(v: string, allowed: string[], what: string): string[] {
  const xs = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = xs.filter((x) => !allowed.includes(x));
  if (bad.length || !xs.length) throw new Error(`--${what}: unknown ${bad.join(', ') || '(empty)'}; known: ${allowed.join(', ')}`);
  return xs;
}

/** Makes blobs and classification at `rows` under `dir` unless an earlier run left them there. */
async function ensureData(dir: string, rows: number): Promise<void> {
  const stamp = join(dir, '.made-with');
  const args = ['--datasets', 'blobs,classification', '--rows', String(rows), '--cluster-std', '4'];
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === args.join(' ')) return;
  mkdirSync(dir, { recursive: true });
  log(`making datasets (${rows} rows) in ${dir} ...`);
  await new Promise<void>((resolve, reject) => {
    const child = spawn('python3', [join(ROOT, 'scripts/ml/datasets.py'), '--out', dir, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`datasets.py exited ${c}`))));
  });
  writeFileSync(stamp, args.join(' '));
}

const files = (dataDir: string, size: string, alg: Alg) => ({
  train: join(dataDir, size, `${DATASET[alg]}-train.arrow`),
  test: join(dataDir, size, `${DATASET[alg]}-test.arrow`),
});

/** Runs peers.py for one system over all jobs; returns its result lines (and Spark's start-up). */
function runPeers(python: string, system: 'sklearn' | 'spark', jobs: object[], timing: Timing): Promise<{ rows: Row[]; startup?: number; error?: string }> {
  return new Promise((resolve) => {
    const args = [join(ROOT, 'bench/ml/peers.py'), '--system', system, '--repeats', String(timing.repeats), '--budget', String(timing.budget)];
    const child = spawn(python, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const rows: Row[] = [];
    let startup: number | undefined;
    let buf = '';
    let errTail = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line.startsWith('{')) continue;
        const r = JSON.parse(line) as Row & { startupSeconds?: number };
        if (r.startupSeconds !== undefined) startup = r.startupSeconds;
        else rows.push(r);
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      errTail = (errTail + s).slice(-3000);
      for (const l of s.split('\n')) if (l.startsWith('  [peers]')) log(l);
    });
    child.on('exit', (code) => resolve({ rows, startup, error: code === 0 ? undefined : `peers.py --system ${system} exited ${code}: ${errTail.slice(-1500)}` }));
    child.stdin.end(JSON.stringify(jobs));
  });
}

async function runCrucial(ml: CrucialMl, dataDir: string, sizes: string[], algs: Alg[], workers: number, timing: Timing): Promise<Row[]> {
  const rows: Row[] = [];
  for (const alg of algs) {
    const warm = files(dataDir, sizes[0]!, alg);
    log(`  [crucial] ${alg}: warm-up fit on ${sizes[0]}`);
    try { await ml.fit(alg, warm.train, PARAMS[alg], workers); } catch (e) { log(`  [crucial] ${alg} warm-up failed: ${(e as Error).message}`); }
    for (const size of sizes) {
      const f = files(dataDir, size, alg);
      log(`  [crucial] ${alg} ${size}: fitting ...`);
      try {
        const fits: number[] = [];
        let model: Awaited<ReturnType<CrucialMl['fit']>>;
        do {
          const t0 = performance.now();
          model = await ml.fit(alg, f.train, PARAMS[alg], workers);
          fits.push((performance.now() - t0) / 1000);
        } while (fits.length < timing.repeats && fits.reduce((a, b) => a + b, 0) < timing.budget);
        const fitSeconds = median(fits);
        const q: Quality = await checkQuality(ml, alg, model, f.train, f.test);
        log(`  [crucial] ${alg} ${size}: ${fitSeconds.toFixed(3)} s (median of ${fits.map((x) => x.toFixed(3)).join(', ')})`);
        rows.push({ system: 'crucial', algorithm: alg, size, fitSeconds, fits, ...q });
      } catch (e) {
        log(`  [crucial] ${alg} ${size}: FAILED ${(e as Error).stack ?? e}`);
        rows.push({ system: 'crucial', algorithm: alg, size, error: (e as Error).message });
      }
    }
  }
  return rows;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };
const sec = (r?: Row): string => (r?.fitSeconds === undefined ? (r?.error ? 'error' : '-') : r.fitSeconds.toFixed(3));
const ratio = (a?: Row, b?: Row): string => (a?.fitSeconds && b?.fitSeconds ? `${(a.fitSeconds / b.fitSeconds).toFixed(2)}x` : '-');
const qual = (r?: Row): string => (r?.inertia !== undefined ? r.inertia.toExponential(4) : r?.accuracy !== undefined ? (100 * r.accuracy).toFixed(2) + '%' : '-');

/** The bench table, one line per algorithm and size, as markdown. */
export function table(rows: Row[], algs: Alg[], sizes: string[]): string {
  const out = ['| algorithm | rows (train) | crucial s | sklearn s | Spark s | crucial/Spark | crucial/sklearn | quality crucial | quality sklearn | quality Spark |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const alg of algs) {
    for (const size of sizes) {
      const get = (s: string) => rows.find((r) => r.system === s && r.algorithm === alg && r.size === size);
      const c = get('crucial'), k = get('sklearn'), s = get('spark');
      const n = c?.rows ?? k?.rows ?? s?.rows;
      out.push(`| ${alg} | ${size} (${n ?? '?'}) | ${sec(c)} | ${sec(k)} | ${sec(s)} | ${ratio(c, s)} | ${ratio(c, k)} | ${qual(c)} | ${qual(k)} | ${qual(s)} |`);
    }
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const opts = new Command('bench/ml/fit.ts')
    .description('fit time and quality: crucial ml/ (2 workers) vs scikit-learn (n_jobs=2) vs Spark MLlib (local[2])')
    .option('--sizes <list>', `dataset sizes, comma-separated, of ${Object.keys(SIZES).join(', ')}`, '10k,100k,1m')
    .option('--algorithms <list>', 'comma-separated subset of kmeans,logreg,forest', 'kmeans,logreg,forest')
    .option('--systems <list>', 'comma-separated subset of crucial,sklearn,spark', 'crucial,sklearn,spark')
    .option('--workers <n>', 'crucial workers (cloud threads / partitions)', (v) => Number(v), 2)
    .option('--repeats <n>', 'timed fits per row, every system (the median is shown)', (v) => Number(v), 5)
    .option('--budget <s>', 'stop a row\'s timed fits once they took this many seconds (at least one fit)', (v) => Number(v), 10)
    .option('--data <dir>', 'where the datasets are made and kept', '/tmp/crucial-ml-bench')
    .option('--json <file>', 'also write every result as JSON to this file')
    .option('--table <files>', 'fit nothing: print the table of earlier --json files (comma-separated), e.g. one run per system')
    .parse()
    .opts<{ sizes: string; algorithms: string; systems: string; workers: number; repeats: number; budget: number; data: string; json?: string; table?: string }>();
  if (!Number.isSafeInteger(opts.repeats) || opts.repeats < 1) throw new Error('--repeats must be a positive integer');
  if (!(opts.budget >= 0)) throw new Error('--budget must be a number >= 0');
  const timing: Timing = { repeats: opts.repeats, budget: opts.budget };
  const sizes = parseList(opts.sizes, Object.keys(SIZES), 'sizes');
  const algs = parseList(opts.algorithms, ALGS, 'algorithms') as Alg[];
  const systems = parseList(opts.systems, ['crucial', 'sklearn', 'spark'], 'systems');
  if (opts.table) {
    const runs = opts.table.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')) as { rows: Row[]; notes: string[] });
    console.log(table(runs.flatMap((r) => r.rows), algs, sizes));
    for (const n of runs.flatMap((r) => r.notes)) console.log(`\n${n}`);
    return;
  }

  log(`machine: ${availableParallelism()} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const size of sizes) await ensureData(join(opts.data, size), SIZES[size]!);
  const jobs = sizes.flatMap((size) => algs.map((alg) => ({ algorithm: alg, size, params: PARAMS[alg], ...files(opts.data, size, alg) })));
  // Algorithm-major order, as runCrucial goes: each warm-up is followed by its own timed fits.
  jobs.sort((a, b) => ALGS.indexOf(a.algorithm) - ALGS.indexOf(b.algorithm));

  const rows: Row[] = [];
  const notes: string[] = [];
  if (systems.includes('crucial')) {
    log('crucial: fitting ...');
    const ml = await loadCrucialMl();
    rows.push(...await runCrucial(ml, opts.data, sizes, algs, opts.workers, timing));
    await ml.close();
  }
  const peers = systems.filter((s): s is 'sklearn' | 'spark' => s === 'sklearn' || s === 'spark');
  if (peers.length) {
    const python = await ensureVenv('peers', PEERS_PACKAGES, log);
    for (const system of peers) {
      log(`${system}: fitting ...`);
      const r = await runPeers(python, system, jobs, timing);
      rows.push(...r.rows);
      if (r.startup !== undefined) notes.push(`Spark session start-up (local[2], not in the fit times): ${r.startup.toFixed(2)} s`);
      if (r.error) { notes.push(r.error); log(r.error); }
    }
  }
  console.log(`\nml fit bench: ${opts.workers} workers; each row the median of up to ${timing.repeats} timed fits (${timing.budget} s budget) after a warm-up, every system; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`params: ${JSON.stringify(PARAMS)}`);
  console.log(table(rows, algs, sizes));
  for (const n of notes) console.log(`\n${n}`);
  for (const r of rows.filter((x) => x.error)) console.log(`\n${r.system} ${r.algorithm} ${r.size} failed: ${r.error}`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ params: PARAMS, rows, notes }, null, 2));
}

main().catch((e) => { console.error(e); process.exit(1); });
