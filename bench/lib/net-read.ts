/**
 * Why large ZMTP frames are read through `onread`: time to receive 8 MB over loopback with
 * node:net's default 64 KB reads (each chunk then copied into the frame's buffer) against reads
 * straight into the destination buffer. Sender and receiver in one process.
 * `npx tsx bench/lib/net-read.ts`
 */
import { connect, createServer, type AddressInfo, type NetConnectOpts } from 'node:net';
import { percentile } from '../../examples/lib/stats.ts';

const SIZE = 8 * 1024 * 1024;
const ROUNDS = 30;
const payload = Buffer.alloc(SIZE, 7);

// Each one-byte request is answered with the whole payload.
const server = createServer((s) => { s.setNoDelay(true); s.on('data', () => s.write(payload)); }).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const { port } = server.address() as AddressInfo;

async function run(mode: 'chunks' | 'direct'): Promise<number[]> {
  const dest = Buffer.allocUnsafe(SIZE);
  let got = 0;
  let done: () => void = () => {};
  const received = (n: number): void => { got += n; if (got === SIZE) done(); };
  const opts: NetConnectOpts = { port, host: '127.0.0.1' };
  if (mode === 'direct') opts.onread = { buffer: () => dest.subarray(got === SIZE ? 0 : got), callback: (n) => { received(n); return true; } };
  const c = connect(opts);
  c.setNoDelay(true);
  if (mode === 'chunks') c.on('data', (d: Buffer) => { d.copy(dest, got); received(d.length); });
  await new Promise((r) => c.once('connect', r));
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    got = 0;
    const p = new Promise<void>((r) => { done = r; });
    const t = process.hrtime.bigint();
    c.write('x');
    await p;
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  c.destroy();
  return ms;
}

const p50 = { chunks: [] as number[], direct: [] as number[] };
for (let r = 0; r < 3; r++) for (const mode of ['chunks', 'direct'] as const) p50[mode].push(percentile(await run(mode), 50));
const chunks = percentile(p50.chunks, 50);
const direct = percentile(p50.direct, 50);
console.log(`8 MB over loopback, p50 of ${ROUNDS} per round, median of 3 rounds:`);
console.log(`  64 KB chunks copied: ${chunks.toFixed(2)} ms`);
console.log(`  read into the frame: ${direct.toFixed(2)} ms  (ratio ${(direct / chunks).toFixed(2)})`);
server.close();
