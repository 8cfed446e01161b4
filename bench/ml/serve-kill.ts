/**
 * The seed's Fig 8 for crucial's model server: inferences per second, second by second, on a k-means
 * model of 200 centroids while the DSO node is killed (-9) and restarted, then a new version published.
 * In the seed each inference read the model from the DSO, so a crash cost throughput; here the server
 * answers from its cached copy, so the figure to watch is errors (must be 0) and the dip, if any.
 *
 *   npx tsx bench/ml/serve-kill.ts [--seconds 30] [--clients 16] [--features 16]
 *
 * Node: `crucial dso start --pmem` in a child process; server: `crucial ml serve` in another; the
 * clients (fetch loops, keep-alive) in this one. Kill at 1/3 of the run, restart at 2/3, publish
 * version 2 right after the restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kill9, startNodeProcess, stopNode } from '../lib/dso-process.ts';
import { connect } from '../../core/client/context.ts';
import { MODEL_FORMAT, type Model } from '../../ml/model/format.ts';
import { ModelStore } from '../../ml/model/store.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.CI === 'true' ? '9' : '30' },
    clients: { type: 'string', default: '16' },
    features: { type: 'string', default: '16' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log('usage: npx tsx bench/ml/serve-kill.ts [--seconds 30] [--clients 16] [--features 16]');
  process.exit(0);
}
const seconds = Number(args.seconds);
const d = Number(args.features);
const K = 200;

function model(shift: number): Model {
  let s = 12345;
  const next = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 2 ** 32; };
  return {
    format: MODEL_FORMAT, algorithm: 'kmeans', params: { k: K }, meta: { nFeatures: d },
    arrays: { centroids: { dtype: 'float64', shape: [K, d], data: Float64Array.from({ length: K * d }, () => next() * 100 - 50 + shift) } },
  };
}

async function startServer(dso: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, 'ml', 'serve', '--port', '0', '--model', 'fig8', '--poll-ms', '200'], {
    env: { ...process.env, CRUCIAL_DSO: dso }, stdio: ['ignore', 'pipe', 'inherit'],
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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'crucial-fig8-'));
  let node = await startNodeProcess(join(dir, 'node.pmem'));
  const publisher = connect(node.address);
  await new ModelStore({ connection: publisher }).publish('fig8', model(0));
  await publisher.close();
  const server = await startServer(node.address);
  for (;;) {
    if ((await fetch(`${server.url}/v2/models/fig8/ready`)).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const perSecond: Array<{ ok: number; errors: number; v2: number; event: string }> = [];
  const t0 = performance.now();
  const slot = () => {
    const i = Math.floor((performance.now() - t0) / 1000);
    while (perSecond.length <= i) perSecond.push({ ok: 0, errors: 0, v2: 0, event: '' });
    return perSecond[i]!;
  };
  let stop = false;
  const body = JSON.stringify({ inputs: [{ name: 'x', shape: [1, d], datatype: 'FP64', data: Array.from({ length: d }, (_, i) => i) }] });
  const client = async () => {
    while (!stop) {
      try {
        const r = await fetch(`${server.url}/v2/models/fig8/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const j = await r.json() as { model_version?: string };
        const s = slot();
        if (r.status === 200) { s.ok++; if (j.model_version === '2') s.v2++; } else s.errors++;
      } catch {
        slot().errors++;
      }
    }
  };
  const clients = Array.from({ length: Number(args.clients) }, client);
  const at = (s: number) => new Promise((r) => setTimeout(r, Math.max(0, t0 + s * 1000 - performance.now())));

  await at(seconds / 3);
  slot().event = 'kill -9 node';
  await kill9(node);
  await at((2 * seconds) / 3);
  node = await startNodeProcess(join(dir, 'node.pmem'), node.port);
  slot().event = 'node restarted';
  const conn = connect(node.address);
  await new ModelStore({ connection: conn }).publish('fig8', model(5));
  slot().event += ', v2 published';
  await conn.close();
  await at(seconds);
  stop = true;
  await Promise.all(clients);

  console.log(`second  inferences/s  errors  v2   (${args.clients} clients, k-means ${K} x ${d}, load ${(await import('node:os')).loadavg()[0]!.toFixed(1)})`);
  perSecond.forEach((s, i) => console.log(`${String(i).padStart(6)}  ${String(s.ok).padStart(12)}  ${String(s.errors).padStart(6)}  ${String(s.v2).padStart(5)}  ${s.event}`));
  const total = perSecond.reduce((a, s) => ({ ok: a.ok + s.ok, errors: a.errors + s.errors }), { ok: 0, errors: 0 });
  console.log(`total ${total.ok} answers, ${total.errors} errors`);

  const gone = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await gone;
  await stopNode(node);
  rmSync(dir, { recursive: true, force: true });
}

await main();
