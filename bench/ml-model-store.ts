/**
 * ModelStore costs against a DSO node process started with --pmem (the way models are kept in
 * production): publish and load of a random-forest-sized model (nodes × [feature, threshold,
 * left, right, value[nClasses]]), latestVersion's round trip (what the model server polls), and the
 * restart after kill -9 (the node maps the arrays back in place).
 *
 *   npx tsx bench/ml-model-store.ts [--nodes 100000,1000000] [--classes 2] [--runs 5] [--pmem-mb 1024]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connect } from '../core/index.ts';
import { kill9, startNodeProcess } from './lib/dso-process.ts';
import { latency } from './lib/measure.ts';
import { ModelStore } from '../ml/model/store.ts';
import { forestModel } from '../test/ml/model/models.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '100000,1000000' }, classes: { type: 'string', default: '2' }, runs: { type: 'string', default: '5' } } });
const sizes = values.nodes!.split(',').map(Number);
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const nNodes of sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'crucial-ml-bench-'));
  const pmem = join(dir, 'node.pmem');
  let node = await startNodeProcess(pmem);
  let conn = connect(node.address);
  const store = new ModelStore({ connection: conn });
  const model = forestModel(1, nNodes, Number(values.classes), 100);
  const mb = Object.values(model.arrays).reduce((n, a) => n + a.data.length * 8, 0) / 2 ** 20;
  const publish: number[] = [], load: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      await store.publish('forest', model);
      publish.push(performance.now() - t);
      t = performance.now();
      await store.load('forest');
      load.push(performance.now() - t);
    }
    const lv = await latency(() => store.latestVersion('forest'), 2000, 200);
    await conn.close();
    await kill9(node);
    let t = performance.now();
    node = await startNodeProcess(pmem, node.port);
    const restartMs = performance.now() - t;
    conn = connect(node.address);
    t = performance.now();
    await new ModelStore({ connection: conn }).load('forest', 1);
    const firstLoadMs = performance.now() - t;
    console.log(JSON.stringify({
      nodes: nNodes, storedMB: +mb.toFixed(1), runs,
      publishMs: { median: +median(publish).toFixed(1), min: +Math.min(...publish).toFixed(1), max: +Math.max(...publish).toFixed(1) },
      loadMs: { median: +median(load).toFixed(1), min: +Math.min(...load).toFixed(1), max: +Math.max(...load).toFixed(1) },
      latestVersionUs: { p50: +lv.p50.toFixed(0), p99: +lv.p99.toFixed(0) },
      restartAfterKill9Ms: +restartMs.toFixed(0), firstLoadAfterRestartMs: +firstLoadMs.toFixed(1),
    }));
  } finally {
    await conn.close();
    await kill9(node);
    rmSync(dir, { recursive: true, force: true });
  }
}
