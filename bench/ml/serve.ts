/**
 * Model serving bench: single-row predict latency (p50/p99) and throughput, with autocannon, against
 * an Open Inference Protocol (KServe V2 REST) server.
 *
 * Pointing it at another server (the ml-bench helper's MLServer, or anything speaking V2 REST):
 *   npx tsx bench/ml/serve.ts --url http://127.0.0.1:8081 --model NAME --features 16 [--proba]
 * sends the same request body to `${url}/v2/models/NAME/infer` with the same client settings: one
 * FP64 row of `--features` values ([1, d], values from --seed), outputs `predict` (plus
 * `predict_proba` with --proba) — MLServer's scikit-learn runtime reads this body unchanged.
 * Without --url it benches crucial: a DSO node in this process, models published to it (by
 * default a hand-built k-means, 8 centroids × d, and a binary logistic regression on d features;
 * with --model NAME, an already published model of the node at CRUCIAL_DSO), and `crucial ml
 * serve` in a child process, so autocannon and the server do not share an event loop.
 *
 * Latencies are per response, from autocannon's own timer (process.hrtime, sub-millisecond); its
 * histogram rounds to whole milliseconds, so the percentiles here come from the raw times.
 * `--json FILE` writes the figures for bench/ml's report.
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { percentile } from '../../examples/lib/stats.ts';
import { MODEL_FORMAT, type Model } from '../../ml/model/format.ts';
import { ModelStore } from '../../ml/model/store.ts';
import { mulberry32 } from '../lib/rng.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));
const CI = process.env.CI === 'true';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    model: { type: 'string', multiple: true },
    features: { type: 'string', default: '16' },
    proba: { type: 'boolean', default: false },
    duration: { type: 'string', default: CI ? '2' : '10' },
    connections: { type: 'string', default: '32' },
    'batch-size': { type: 'string', default: '64' },
    'batch-wait-us': { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log(`usage: npx tsx bench/ml/serve.ts [--url URL --model NAME --features D] [--proba] [--duration S] [--connections N]
       [--batch-size ROWS] [--batch-wait-us US] [--seed N] [--json FILE]
  --url            bench this V2 server instead of starting crucial's (e.g. MLServer)
  --model          model name(s) at --url, or published models of CRUCIAL_DSO to serve with crucial
  --features       features per row (default 16)
  --proba          also ask for predict_proba (classifiers)
  --duration       seconds per phase (default 10, 2 with CI=true)
  --connections    concurrent connections in the throughput phase (default 32)
  --batch-size / --batch-wait-us   crucial's micro-batching (default 64 / 0)`);
  process.exit(0);
}

const d = Number(args.features);
const duration = Number(args.duration);
const connections = Number(args.connections);

/** The same rows on every run and every server. */
const random = mulberry32(Number(args.seed));

function syntheticModels(): Record<string, Model> {
  const k = 8;
  return {
    'bench-kmeans': {
      format: MODEL_FORMAT, algorithm: 'kmeans', params: { k }, meta: { nFeatures: d },
      arrays: { centroids: { dtype: 'float64', shape: [k, d], data: Float64Array.from({ length: k * d }, () => random() * 20 - 10) } },
    },
    'bench-logreg': {
      format: MODEL_FORMAT, algorithm: 'logistic_regression', params: {}, meta: { nFeatures: d, classes: [0, 1] },
      arrays: {
        coef: { dtype: 'float64', shape: [1, d], data: Float64Array.from({ length: d }, () => random() * 2 - 1) },
        intercept: { dtype: 'float64', shape: [1], data: Float64Array.of(0.1) },
      },
    },
  };
}

/** Starts `crucial ml serve` on a free port against `dso`; resolves with its URL. */
async function startCrucialServer(dso: string, token: string | undefined, models: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'ml', 'serve', '--port', '0', '--model', ...models,
    '--batch-size', String(args['batch-size']), '--batch-wait-us', String(args['batch-wait-us'])], {
    env: { ...process.env, CRUCIAL_DSO: dso, ...(token ? { CRUCIAL_TOKEN: token } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`crucial ml serve exited ${code}: ${out}`)));
  });
  return { child, url };
}

async function waitReady(url: string, models: string[]): Promise<void> {
  // The server loads its models in the background; a bench must not time the first loads.
  for (;;) {
    const ok = await Promise.all(models.map((m) => fetch(`${url}/v2/models/${m}/ready`).then((r) => r.status === 200, () => false)));
    if (ok.every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Phase { connections: number; requests: number; rps: number; p50Ms: number; p99Ms: number; errors: number; non2xx: number }

async function phase(url: string, model: string, conns: number, seconds: number): Promise<Phase> {
  const row = Array.from({ length: d }, () => random() * 20 - 10);
  const body = JSON.stringify({
    inputs: [{ name: 'input-0', shape: [1, d], datatype: 'FP64', data: row }],
    ...(args.proba ? { outputs: [{ name: 'predict' }, { name: 'predict_proba' }] } : {}),
  });
  const times: number[] = [];
  const instance = autocannon({
    url: `${url}/v2/models/${model}/infer`, method: 'POST', headers: { 'content-type': 'application/json' }, body,
    connections: conns, duration: seconds,
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => { if (status === 200) times.push(ms); });
  const result = await instance;
  return {
    connections: conns,
    requests: result.requests.total,
    rps: result.requests.total / seconds,
    p50Ms: percentile(times, 50),
    p99Ms: percentile(times, 99),
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

async function main(): Promise<void> {
  let url = args.url;
  let models = args.model ?? [];
  let child: ChildProcess | undefined;
  let close: (() => Promise<void>) | undefined;
  if (!url) {
    let dso = process.env.CRUCIAL_DSO;
    let token = process.env.CRUCIAL_TOKEN;
    if (!dso && models.length > 0) throw new Error('--model without --url serves published models of the node CRUCIAL_DSO names: set CRUCIAL_DSO');
    if (!dso) {
      const { startDso } = await import('../../dso/node.ts');
      const node = await startDso({ host: '127.0.0.1', port: 0 });
      dso = node.address;
      token = (node as { token?: string }).token;
      const { connect } = await import('../../core/client/context.ts');
      const conn = connect(dso);
      const store = new ModelStore({ connection: conn, persistent: false });
      const synthetic = syntheticModels();
      for (const [name, m] of Object.entries(synthetic)) await store.publish(name, m);
      models = Object.keys(synthetic);
      close = async () => { await conn.close(); await node.close(); };
    }
    if (models.length === 0) throw new Error('--model NAME names the published model(s) to serve from CRUCIAL_DSO');
    ({ child, url } = await startCrucialServer(dso, token, models));
  } else if (models.length === 0) {
    throw new Error('--url needs --model NAME');
  }
  await waitReady(url, models);
  const results: Array<{ server: string; model: string; latency: Phase; throughput: Phase }> = [];
  for (const model of models) {
    await phase(url, model, 4, 1); // warm-up: JIT, connections
    const latency = await phase(url, model, 1, duration);
    const throughput = await phase(url, model, connections, duration);
    results.push({ server: args.url ? url : 'crucial', model, latency, throughput });
    console.log(`${args.url ? url : 'crucial'} ${model}: single row, 1 connection p50 ${latency.p50Ms.toFixed(3)} ms p99 ${latency.p99Ms.toFixed(3)} ms ` +
      `(${latency.rps.toFixed(0)} req/s); ${connections} connections ${throughput.rps.toFixed(0)} req/s p50 ${throughput.p50Ms.toFixed(3)} ms p99 ${throughput.p99Ms.toFixed(3)} ms` +
      `${throughput.errors + throughput.non2xx + latency.errors + latency.non2xx > 0 ? ` ERRORS ${throughput.errors + latency.errors} non-2xx ${throughput.non2xx + latency.non2xx}` : ''}`);
  }
  if (args.json) {
    writeFileSync(args.json, JSON.stringify({ features: d, duration, connections, batchSize: Number(args['batch-size']), batchWaitUs: Number(args['batch-wait-us']), results }, null, 2));
  }
  if (child) {
    const gone = once(child, 'exit');
    child.kill('SIGTERM');
    await gone;
  }
  await close?.();
}

await main();
