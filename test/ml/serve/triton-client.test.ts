/**
 * ml serve - NVIDIA's Python tritonclient.http (2.73.0, unchanged, binary tensor data by default)
 * reads health, metadata and predictions from the server, and gets its errors as exceptions.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startModelServer, type ModelServer } from '../../../ml/serve/server.ts';
import { MemorySource, logregModel, logregOracle } from './models.ts';

const SCRIPT = fileURLToPath(new URL('../../fixtures/ml-serve/triton_client.py', import.meta.url));
const ROWS = [[1, 0, 0], [0, 1, 0], [0.5, 0.5, 2], [-3, -1, 4], [2, 1, 0]];

describe('ml serve - Python tritonclient.http', function () {
  this.timeout(60_000);
  let server: ModelServer;
  const source = new MemorySource();

  before(async () => {
    source.publish('clf', logregModel(-1));
    source.publish('clf', logregModel(0.25));
    server = await startModelServer({ port: 0, models: ['clf'], store: source, pollMs: 0 });
    await server.refresh();
  });
  after(async () => { await server?.close(); });

  it('health, metadata, binary and JSON inference, versions and errors', async () => {
    const { stdout } = await promisify(execFile)('python3', [SCRIPT, server.url.replace('http://', ''), JSON.stringify(ROWS)], { timeout: 50_000 });
    const out = JSON.parse(stdout);
    assert.deepEqual([out.live, out.ready, out.model_ready, out.model_v1_ready, out.unknown_ready], [true, true, true, true, false]);
    assert.equal(out.server.name, 'crucial');
    assert.deepEqual(out.metadata.versions, ['1', '2']);
    assert.deepEqual(out.index, [{ name: 'clf', version: '2', state: 'READY' }]);
    assert.deepEqual(out.metadata.inputs, [{ name: 'input-0', datatype: 'FP64', shape: [-1, 3] }]);

    const expect2 = ROWS.map((r) => logregOracle(r, 0.25));
    assert.deepEqual(out.binary.version, '2');
    assert.equal(out.binary.id, '7');
    assert.equal(out.binary.predict_dtype, 'int64');
    assert.deepEqual(out.binary.predict, expect2.map((e) => [e.label]));
    out.binary.proba.forEach((p: number[], i: number) => {
      assert.ok(Math.abs(p[0]! - expect2[i]!.proba[0]) < 1e-12 && Math.abs(p[1]! - expect2[i]!.proba[1]) < 1e-12, `row ${i}`);
    });

    // Version 1 (intercept -1) by number, from FP32 JSON data: the rows are exact in FP32.
    assert.equal(out.json_v1.version, '1');
    assert.deepEqual(out.json_v1.predict, ROWS.map((r) => [logregOracle(r, -1).label]));
    assert.notDeepEqual(out.json_v1.predict, out.binary.predict, 'the two versions differ on these rows');

    assert.deepEqual(out.default_outputs, ['predict']);
    assert.deepEqual(out.default_predict, expect2.map((e) => [e.label]));

    assert.equal(out.errors.unknown_model.status, '404');
    assert.match(out.errors.unknown_model.message, /model 'nope' not found/);
    assert.equal(out.errors.bad_features.status, '400');
    assert.match(out.errors.bad_features.message, /takes 3 features per row/);
    assert.equal(out.errors.unknown_version.status, '404');
  });
});
