/**
 * examples/ml end to end, as its README runs it: a DSO node process (`crucial dso start --pmem`; its
 * clients on loopback find its token in the runtime file it writes), train.ts publishing both models
 * to it, `crucial ml serve` on them, then curl (query.sh) and the Triton client (query_triton.py).
 * Oracles: the served answers equal the predictions of the published model loaded from the node;
 * k-means recovers the generating blobs (purity); the forest ranks the 1% positives far above chance.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../core/client/context.ts';
import type { Connection } from '../../core/client/connection.ts';
import { ModelStore } from '../../ml/model/store.ts';
import { predict } from '../../ml/model/predict.ts';
import { datasetInfo, readRows } from '../../ml/data/read.ts';
import { ROOT } from './helpers.ts';

const BIN = join(ROOT, 'core/cli/bin.js');

interface Out { code: number; stdout: string; stderr: string }

function exec(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<Out> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 });
    });
  });
}

/** Spawns a long-running command and resolves with the first match of `ready` in its stdout. */
async function startDaemon(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`crucial ${args.join(' ')} exited ${code}: ${out}${err}`)));
  });
  return { child, match };
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = once(child, 'exit');
  child.kill('SIGTERM');
  await gone;
}

describe('examples/ml', function () {
  this.timeout(300_000);
  let dir: string;
  let node: ChildProcess | undefined;
  let address: string;
  let server: ChildProcess | undefined;
  let conn: Connection | undefined;
  let env: NodeJS.ProcessEnv;
  let url: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucial-ml-example-'));
    const started = await startDaemon(['dso', 'start', '--port', '0', '--pmem', join(dir, 'models.pmem')], process.env, /ready at (tcp:\/\/\S+)/);
    node = started.child;
    address = started.match[1]!;
    env = { ...process.env, CRUCIAL_DSO: address };
    delete env.CRUCIAL_TOKEN; // the runtime file of this node, not a token of another
  });

  after(async () => {
    await conn?.close();
    await stop(server);
    await stop(node);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ml example - train.ts, crucial ml serve, query.sh and query_triton.py run end to end, and the server answers as the published models predict', async () => {
    const train = await exec(process.execPath, ['--import', 'tsx', 'examples/ml/train.ts', '--data', dir, '--blob-rows', '5000',
      '--imbalanced-rows', '5000', '--trees', '10', '--no-progress', '--json'], env);
    assert.equal(train.code, 0, train.stderr + train.stdout);
    const trained = JSON.parse(train.stdout.trim().split('\n').pop()!) as {
      kmeans: { name: string; version: number; inertia: number }; forest: { name: string; version: number; accuracy: number; auprc: number };
    };
    assert.equal(trained.kmeans.name, 'blobs-kmeans');
    assert.ok(trained.kmeans.version >= 1 && trained.forest.version >= 1, train.stdout);
    // 1% positives: ranking them (AUPRC) is the forest's real test; chance is 0.01.
    assert.ok(trained.forest.auprc > 0.3, `AUPRC ${trained.forest.auprc}`);

    const started = await startDaemon(['ml', 'serve', '--port', '0', '--model', 'blobs-kmeans', 'fraud-forest'], env, /ready at (http:\/\/\S+)/);
    server = started.child;
    url = started.match[1]!;
    for (;;) {
      const ok = await fetch(`${url}/v2/health/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const curl = await exec('bash', ['examples/ml/query.sh', url, 'blobs-kmeans', 'fraud-forest'], env, 60_000);
    assert.equal(curl.code, 0, curl.stderr + curl.stdout);
    assert.match(curl.stdout, /"model_name":"blobs-kmeans"/);
    assert.match(curl.stdout, /"name":"predict_proba","shape":\[2,2\]/);

    const triton = await exec('python3', ['examples/ml/query_triton.py', '--url', url.replace('http://', ''), '--data', dir, '--rows', '500', '--json'], env, 60_000);
    assert.equal(triton.code, 0, triton.stderr + triton.stdout);
    const q = JSON.parse(triton.stdout.trim()) as { kmeans: { purity: number; clusters: number }; forest: { rows: number; probaShape: number[]; probaRowSums: number[] } };
    assert.ok(q.kmeans.purity > 0.95, `k-means purity ${q.kmeans.purity}`);
    assert.deepEqual(q.forest.probaShape, [500, 2]);
    assert.ok(Math.abs(q.forest.probaRowSums[0]! - 1) < 1e-9 && Math.abs(q.forest.probaRowSums[1]! - 1) < 1e-9);

    // The served answers are the published model's own predictions.
    conn = connect(address);
    const store = new ModelStore({ connection: conn });
    const forest = await store.load('fraud-forest');
    const testPath = join(dir, 'imbalanced-test.arrow');
    const { nRows } = await datasetInfo(testPath);
    const test = await readRows(testPath, 0, Math.min(nRows, 200));
    const local = predict(forest, test.X, test.nRows);
    const res = await fetch(`${url}/v2/models/fraud-forest/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'input-0', shape: [test.nRows, test.nCols], datatype: 'FP64', data: Array.from(test.X) }], outputs: [{ name: 'predict' }, { name: 'predict_proba' }] }),
    });
    assert.equal(res.status, 200);
    const body = await res.json() as { outputs: Array<{ name: string; data: number[] }> };
    const served = Object.fromEntries(body.outputs.map((o) => [o.name, o.data]));
    assert.deepEqual(served.predict, Array.from(local.labels));
    served.predict_proba!.forEach((p, i) => assert.ok(Math.abs(p - local.proba![i]!) < 1e-12, `proba[${i}] ${p} vs ${local.proba![i]}`));
  });
});
