/**
 * Serving: crucial's model server vs MLServer (+ mlserver-sklearn) on the same models of the same data,
 * queried by the same client (bench/ml/serve.ts: autocannon, one FP64 row per request, the same body):
 * single-row p50/p99 on one connection, and throughput with 32 connections.
 *
 *   npx tsx bench/ml/serve-peers.ts [--models forest,kmeans] [--duration 10] [--trees 50]
 *
 * Models: a random forest (balanced class weights) on `imbalanced` (30 features) and k-means (k=8) on
 * `blobs` (16 features), from scripts/ml/datasets.py. crucial's are trained by examples/ml/train.ts
 * and published to a DSO node process started here; MLServer's are scikit-learn's with the same
 * parameters (bench/ml/sklearn_model.py in `.venv-bench/peers`), served from `.venv-bench/mlserver`
 * (both venvs are made on first use). The two servers run one after the other, never together.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { startNodeProcess } from './dso-process.ts';
import { startMlServer } from './mlserver.ts';
import { ensureVenv, MLSERVER_PACKAGES, PEERS_PACKAGES, ROOT } from './venv.ts';

const BIN = join(ROOT, 'core/cli/bin.js');
const log = (s: string): void => { process.stderr.write(`${s}\n`); };

interface Phase { connections: number; requests: number; rps: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }
interface ServeResult { results: Array<{ model: string; latency: Phase; throughput: Phase }> }

const MODELS = {
  forest: { name: 'bench-forest', dataset: 'imbalanced', features: 30 },
  kmeans: { name: 'bench-kmeans', dataset: 'blobs', features: 16 },
} as const;
type Which = keyof typeof MODELS;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stdout?.slice(-2000)}`);
  return r.stdout;
}

/** Runs bench/ml/serve.ts (the shared client) for one model; `url` set = a foreign server. */
function client(model: string, features: number, duration: number, out: string, env: NodeJS.ProcessEnv, url?: string): ServeResult {
  const args = ['--import', 'tsx', join(ROOT, 'bench/ml/serve.ts'), '--model', model, '--features', String(features), '--duration', String(duration), '--json', out];
  if (url) args.push('--url', url);
  process.stderr.write(run(process.execPath, args, env));
  return JSON.parse(readFileSync(out, 'utf8')) as ServeResult;
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/serve-peers.ts')
    .description('single-row predict latency and throughput: crucial ml serve vs MLServer (mlserver-sklearn), same models, same data, same client')
    .option('--models <list>', 'comma-separated subset of forest,kmeans', 'forest,kmeans')
    .option('--duration <s>', 'seconds per phase (latency, throughput)', (v) => Number(v), 10)
    .option('--trees <n>', 'trees of both forests', (v) => Number(v), 50)
    .option('--data <dir>', 'where the datasets are made', join(tmpdir(), 'crucial-ml-serve-bench'))
    .option('--servers <list>', 'comma-separated subset of crucial,mlserver', 'crucial,mlserver')
    .parse()
    .opts<{ models: string; duration: number; trees: number; data: string; servers: string }>();
  const servers = new Set(o.servers.split(',').map((s) => s.trim()));
  const which = o.models.split(',').map((s) => s.trim()) as Which[];
  for (const w of which) if (!(w in MODELS)) throw new Error(`--models: unknown ${w}; known: forest, kmeans`);
  const blobRows = 100_000;
  mkdirSync(o.data, { recursive: true });
  log(`machine load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

  // crucial: node process, models trained and published by the example, then served and measured.
  const crucial: Partial<Record<Which, ServeResult>> = {};
  if (servers.has('crucial')) {
  const node = await startNodeProcess();
  const env = { ...process.env, ...node.env };
  try {
    log('crucial: training (examples/ml/train.ts) ...');
    log(run(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/ml/train.ts'), '--data', o.data, '--blob-rows', String(blobRows),
      '--trees', String(o.trees), '--kmeans-name', MODELS.kmeans.name, '--forest-name', MODELS.forest.name, '--no-progress'], env).trim());
    for (const w of which) {
      log(`crucial: serving ${MODELS[w].name} ...`);
      crucial[w] = client(MODELS[w].name, MODELS[w].features, o.duration, join(o.data, `crucial-${w}.json`), env);
    }
  } finally {
    await node.stop();
  }
  }

  // MLServer: scikit-learn models with the same parameters on the same training files.
  const peer: Partial<Record<Which, ServeResult>> = {};
  if (servers.has('mlserver')) {
  if (!servers.has('crucial')) {
    run('python3', [join(ROOT, 'scripts/ml/datasets.py'), '--out', o.data, '--datasets', 'blobs,imbalanced', '--rows', String(blobRows)]);
  }
  const peers = await ensureVenv('peers', PEERS_PACKAGES, log);
  const mlserverPython = await ensureVenv('mlserver', MLSERVER_PACKAGES, log);
  const repo = join(o.data, 'mlserver-models');
  rmSync(repo, { recursive: true, force: true });
  for (const w of which) {
    const m = MODELS[w];
    run(peers, [join(ROOT, 'bench/ml/sklearn_model.py'), '--algorithm', w, '--train', join(o.data, `${m.dataset}-train.arrow`), '--name', m.name,
      '--out', join(repo, m.name), '--params', JSON.stringify(w === 'forest' ? { trees: o.trees, seed: 1 } : { k: 8, seed: 1 })]);
  }
  log('MLServer: starting ...');
  const t0 = performance.now();
  const mls = await startMlServer(mlserverPython, repo, which.map((w) => MODELS[w].name));
  log(`MLServer ready in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${mls.url}`);
  try {
    for (const w of which) peer[w] = client(MODELS[w].name, MODELS[w].features, o.duration, join(o.data, `mlserver-${w}.json`), process.env, mls.url);
  } finally {
    await mls.close();
  }
  }

  const f = (x: number) => x.toFixed(3);
  console.log(`\nserving bench: ${o.duration} s per phase; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| model | server | 1 conn p50 ms | 1 conn p99 ms | 1 conn req/s | 32 conn req/s | 32 conn p50 ms | 32 conn p99 ms | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const w of which) {
    for (const [server, r] of [['crucial', crucial[w]], ['MLServer', peer[w]]] as const) {
      const x = r?.results[0];
      if (!x) continue;
      console.log(`| ${MODELS[w].name} | ${server} | ${f(x.latency.p50Ms)} | ${f(x.latency.p99Ms)} | ${x.latency.rps.toFixed(0)} | ${x.throughput.rps.toFixed(0)} | ` +
        `${f(x.throughput.p50Ms)} | ${f(x.throughput.p99Ms)} | ${x.latency.errors + x.latency.non2xx + x.throughput.errors + x.throughput.non2xx} |`);
    }
    const c = crucial[w]?.results[0], p = peer[w]?.results[0];
    if (c && p) console.log(`| ${MODELS[w].name} | crucial/MLServer | ${(c.latency.p50Ms / p.latency.p50Ms).toFixed(2)}x | ${(c.latency.p99Ms / p.latency.p99Ms).toFixed(2)}x | ` +
      `${(c.latency.rps / p.latency.rps).toFixed(2)}x | ${(c.throughput.rps / p.throughput.rps).toFixed(2)}x | | | |`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
