/**
 * ml serve - the DSO node is killed (-9) under load from several concurrent clients and restarted:
 * no request for the cached model gets an error reply at any point, and a version published to the
 * restarted node is served afterwards, without restarting the server. The node is a real process
 * with a pmem region, so the model survives the kill.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill9, startNodeProcess, stopNode, type NodeProcess } from '../../../bench/lib/dso-process.ts';
import { connect } from '../../../core/client/context.ts';
import type { Connection } from '../../../core/client/connection.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { startModelServer, type ModelServer } from '../../../ml/serve/server.ts';
import { kmeansModel, kmeansOracle } from './models.ts';

const CLIENTS = 6;
const SHIFT = 8;

describe('ml serve - DSO node killed under load', function () {
  this.timeout(120_000);
  let dir: string;
  let node: NodeProcess | undefined;
  let server: ModelServer | undefined;
  const conns: Connection[] = [];

  before(() => { dir = mkdtempSync(join(tmpdir(), 'crucial-serve-kill-')); });
  after(async () => {
    await server?.close();
    for (const c of conns) await c.close();
    if (node) await stopNode(node);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every request from its cached copy while the node is down, then serves the version published after the restart', async () => {
    const pmem = join(dir, 'node.pmem');
    node = await startNodeProcess(pmem);
    const open = (address: string) => { const c = connect(address); conns.push(c); return c; };
    await new ModelStore({ connection: open(node.address) }).publish('km', kmeansModel());
    server = await startModelServer({
      port: 0, models: ['km'], store: new ModelStore({ connection: open(node.address) }),
      pollMs: 50, batchSize: 16,
    });
    await server.refresh();
    assert.ok(server.isCached('km'), 'the model is cached before the load starts');

    // Each client sends rows one by one and checks every answer against the oracle of the version it names.
    const failures: string[] = [];
    const answered = { total: 0, v2: 0 };
    const waiters: Array<{ done: () => boolean; resolve: () => void }> = [];
    const until = (done: () => boolean) => new Promise<void>((resolve) => { if (done()) resolve(); else waiters.push({ done, resolve }); });
    let stop = false;
    const client = async (id: number) => {
      for (let i = 0; !stop; i++) {
        const x = ((id * 7919 + i * 104729) % 2000) / 100 - 5;
        const y = ((id * 31 + i * 17) % 1200) / 100 - 1;
        try {
          const r = await fetch(`${server!.url}/v2/models/km/infer`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [x, y] }] }),
          });
          const body = await r.json() as { model_version: string; outputs: Array<{ data: number[] }>; error?: string };
          if (r.status !== 200) { failures.push(`client ${id}: ${r.status} ${body.error}`); continue; }
          const shift = body.model_version === '2' ? SHIFT : 0;
          if (body.outputs[0]!.data[0] !== kmeansOracle(x, y, shift)) failures.push(`client ${id}: wrong label for (${x}, ${y}) v${body.model_version}`);
          answered.total++;
          if (body.model_version === '2') answered.v2++;
        } catch (e) {
          failures.push(`client ${id}: ${(e as Error).message}`);
        }
        for (let w = waiters.length - 1; w >= 0; w--) if (waiters[w]!.done()) waiters.splice(w, 1)[0]!.resolve();
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, id) => client(id));

    await until(() => answered.total >= 200);
    const pollFailed = once(server.events, 'pollError');
    await kill9(node);
    // The server has noticed the node is gone (a poll failed), and keeps answering from its copy.
    await pollFailed;
    const atPollFailure = answered.total;
    await until(() => answered.total >= atPollFailure + 300);

    node = await startNodeProcess(pmem, node.port);
    const published = once(server.events, 'version');
    assert.equal(await new ModelStore({ connection: open(node.address) }).publish('km', kmeansModel(SHIFT)), 2, 'version 1 survived the kill');
    assert.deepEqual(await published, ['km', 2]);
    await until(() => answered.v2 >= 100);
    stop = true;
    await Promise.all(clients);

    assert.deepEqual(failures, []);
    // Version 1 by number: the copy kept when version 2 replaced it.
    const r = await fetch(`${server.url}/v2/models/km/versions/1/infer`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 2], datatype: 'FP64', data: [6, 0] }] }),
    });
    assert.deepEqual((await r.json() as { outputs: Array<{ data: number[] }> }).outputs[0]!.data, [kmeansOracle(6, 0)]);
  });
});
