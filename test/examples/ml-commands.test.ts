/**
 * The ml example's and bench's commands: --help works, the dataset script is deterministic and
 * splits as documented, and the example's AUPRC is scikit-learn's average_precision_score.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { averagePrecision } from '../../examples/ml/metrics.ts';
import { ROOT, runExample } from './helpers.ts';

function python(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('python3', args, { cwd: ROOT, timeout: 120_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

describe('examples/ml and bench/ml commands', function () {
  this.timeout(120_000);

  for (const file of ['examples/ml/train.ts', 'bench/ml/fit.ts', 'bench/ml/serve-peers.ts']) {
    it(`ml commands - ${file} --help describes its options and exits 0`, async () => {
      const r = await runExample(file, ['--help']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Usage: .*\n[\s\S]*Options:/);
    });
  }

  it('ml commands - datasets.py writes the same files twice for one seed, stratifies the 1% positives, and refuses an unknown dataset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucial-ml-datasets-'));
    try {
      const args = ['scripts/ml/datasets.py', '--datasets', 'imbalanced,blobs', '--rows', '3000', '--imbalanced-rows', '5000', '--json'];
      const a = await python([...args, '--out', join(dir, 'a')]);
      assert.equal(a.code, 0, a.stderr);
      const b = await python([...args, '--out', join(dir, 'b')]);
      assert.equal(b.code, 0, b.stderr);
      for (const f of ['imbalanced-train.arrow', 'imbalanced-test.arrow', 'blobs-train.arrow', 'blobs-test.arrow']) {
        assert.ok((await readFile(join(dir, 'a', f))).equals(await readFile(join(dir, 'b', f))), `${f} differs between two runs with one seed`);
      }
      const info = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; trainRows: number; testRows: number; nFeatures: number });
      assert.deepEqual(info.map((i) => [i.name, i.trainRows, i.testRows, i.nFeatures]), [['imbalanced', 4000, 1000, 30], ['blobs', 2400, 600, 16]]);
      // The positives of each split, counted by pyarrow (an independent reader).
      const count = await python(['-c', `import pyarrow.ipc as ipc, sys
for s in ('train', 'test'):
    y = ipc.open_file(sys.argv[1] + f'/imbalanced-{s}.arrow').read_all().column('y').to_numpy()
    print(int(y.sum()), len(y))`, join(dir, 'a')]);
      assert.equal(count.code, 0, count.stderr);
      assert.deepEqual(count.stdout.trim().split('\n'), ['40 4000', '10 1000']);
      const bad = await python(['scripts/ml/datasets.py', '--out', dir, '--datasets', 'mnist']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /unknown mnist/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ml commands - averagePrecision equals scikit-learn\'s average_precision_score, ties included', async () => {
    const seed = Number(process.env.ML_METRICS_SEED ?? Date.now() % 100_000);
    let s = seed;
    const rand = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
    const n = 500;
    const truth = Float64Array.from({ length: n }, () => (rand() < 0.1 ? 1 : 0));
    // Rounded scores make ties, which sklearn treats as one threshold.
    const score = Float64Array.from(truth, (t) => Math.round((rand() + 0.3 * t) * 20) / 20);
    const r = await python(['-c', 'import json, sys; from sklearn.metrics import average_precision_score as ap; d = json.load(sys.stdin); print(repr(ap(d["t"], d["s"])))'],
      JSON.stringify({ t: Array.from(truth), s: Array.from(score) }));
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Math.abs(averagePrecision(truth, score) - Number(r.stdout)) < 1e-12, `seed ${seed} (ML_METRICS_SEED): ${averagePrecision(truth, score)} vs sklearn ${r.stdout}`);
  });
});
