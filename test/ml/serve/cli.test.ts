/**
 * ml serve - `crucial ml serve` (the CLI, in its own process) serves the models published to the
 * node CRUCIAL_DSO names, reads them through ModelStore and predicts through ml/model/predict.ts;
 * `--help` lists its options; SIGTERM stops it cleanly.
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startDso, type DsoNode } from '../../../dso/node.ts';
import { connect } from '../../../core/client/context.ts';
import type { Connection } from '../../../core/client/connection.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { kmeansModel, kmeansOracle, logregModel, logregOracle } from './models.ts';

const BIN = fileURLToPath(new URL('../../../core/cli/bin.js', import.meta.url));

describe('ml serve - the crucial ml serve command', function () {
  this.timeout(60_000);
  let node: DsoNode;
  let conn: Connection;
  let child: ChildProcess | undefined;

  before(async () => {
    node = await startDso({ host: '127.0.0.1', port: 0 });
    conn = connect(node.address);
    const store = new ModelStore({ connection: conn, persistent: false });
    await store.publish('cli-km', kmeansModel());
    await store.publish('cli-clf', logregModel());
  });
  after(async () => {
    if (child && child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await once(child, 'exit'); }
    await conn?.close();
    await node?.close();
  });

  it('--help lists every option', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'ml', 'serve', '--help']);
    for (const opt of ['--host', '--port', '--model <name...>', '--batch-size', '--batch-wait-us', '--poll-ms']) assert.ok(stdout.includes(opt), opt);
  });

  it('serves listed and unlisted published models from CRUCIAL_DSO, then stops on SIGTERM', async () => {
    const token = (node as { token?: string }).token;
    child = spawn(process.execPath, [BIN, 'ml', 'serve', '--port', '0', '--model', 'cli-km', '--poll-ms', '100'], {
      env: { ...process.env, CRUCIAL_DSO: node.address, ...(token ? { CRUCIAL_TOKEN: token } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (b: Buffer) => { err += b.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /ready at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`exited ${code}: ${out}${err}`)));
    });
    // The listed model goes live by itself (the CLI prints it): synchronise on that line.
    await new Promise<void>((resolve) => {
      const check = () => { if (/cli-km version 1 live/.test(out)) resolve(); };
      child!.stdout!.on('data', check);
      check();
    });
    assert.equal((await fetch(`${url}/v2/health/ready`)).status, 200);
    const km = await (await fetch(`${url}/v2/models/cli-km/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [3, 2], datatype: 'FP64', data: [1, 1, 9, 1, 1, 9] }] }),
    })).json() as { outputs: Array<{ data: number[] }> };
    assert.deepEqual(km.outputs[0]!.data, [kmeansOracle(1, 1), kmeansOracle(9, 1), kmeansOracle(1, 9)]);
    const row = [0.5, 0.5, 2];
    const clf = await (await fetch(`${url}/v2/models/cli-clf/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: row }], outputs: [{ name: 'predict_proba' }] }),
    })).json() as { outputs: Array<{ data: number[] }> };
    assert.ok(Math.abs(clf.outputs[0]!.data[1]! - logregOracle(row).proba[1]) < 1e-12);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.deepEqual(await exited, [0, null]);
    assert.match(out, /crucial ml serve stopped \(SIGTERM\)/);
  });
});
