/**
 * Transport floor for the DSO's simple operations: a 1 KB DEALER/ROUTER echo across two
 * processes, with no codec and no object, over each of crucial's transports (zeromq.js, and
 * crucial's own ZMTP over node:net), against a bare Node TCP echo (what ioredis rides on).
 * Client on CPU 0, server on CPU 1 (`same` as the first argument: both on CPU 0), as in
 * bench/dso-vs-redis.ts. `npx tsx bench/lib/zmq-floor.ts [same]`
 */
import { Dealer, Router } from 'zeromq';
import { fork } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { percentile } from '../../examples/lib/stats.ts';
import { pinProcess } from './servers.ts';
import { ZmtpDealer } from '../../core/protocol/transport/zmtp/dealer.ts';
import { ZmtpRouter } from '../../core/protocol/transport/zmtp/router.ts';

const N = 10_000;
const msg = Buffer.alloc(1024, 7);

if (process.argv[2] === 'server') {
  const router = new Router();
  await router.bind('tcp://127.0.0.1:0');
  const zmtp = new ZmtpRouter((route, frames) => zmtp.send(route, frames));
  await zmtp.bind('tcp://127.0.0.1:0');
  const tcp = createServer((s) => s.on('data', (d) => s.write(d))).listen(0, '127.0.0.1');
  await new Promise((r) => tcp.once('listening', r));
  process.send!({ zmq: router.lastEndpoint, zmtp: zmtp.endpoint, tcp: (tcp.address() as { port: number }).port });
  for await (const [id, m] of router) await router.send([id!, m!]);
} else {
  const child = fork(fileURLToPath(import.meta.url), ['server'], { execArgv: ['--import', 'tsx'] });
  const addr = await new Promise<{ zmq: string; zmtp: string; tcp: number }>((r) => child.once('message', (m) => r(m as any)));
  const same = process.argv[2] === 'same';
  pinProcess(process.pid, '0');
  pinProcess(child.pid!, same ? '0' : '1');
  const dealer = new Dealer();
  dealer.connect(addr.zmq);
  const zmq: number[] = [];
  for (let i = 0; i < N + 500; i++) {
    const t = process.hrtime.bigint();
    await dealer.send(msg);
    await dealer.receive();
    if (i >= 500) zmq.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  let wake: () => void = () => undefined;
  const own = new ZmtpDealer(addr.zmtp, () => wake());
  const zmtp: number[] = [];
  for (let i = 0; i < N + 500; i++) {
    const t = process.hrtime.bigint();
    await new Promise<void>((r) => { wake = r; own.send([msg]); });
    if (i >= 500) zmtp.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  own.close();
  const sock = createConnection(addr.tcp, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise((r) => sock.once('connect', r));
  const tcp: number[] = [];
  for (let i = 0; i < N + 500; i++) {
    const t = process.hrtime.bigint();
    let got = 0;
    await new Promise<void>((r) => { const on = (d: Buffer) => { got += d.length; if (got >= msg.length) { sock.off('data', on); r(); } }; sock.on('data', on); sock.write(msg); });
    if (i >= 500) tcp.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  console.log(`1 KB echo across processes (${same ? 'same CPU' : 'two CPUs'}), p50/p99 µs: zeromq.js DEALER/ROUTER ${percentile(zmq, 50).toFixed(1)}/${percentile(zmq, 99).toFixed(1)}; crucial ZMTP ${percentile(zmtp, 50).toFixed(1)}/${percentile(zmtp, 99).toFixed(1)}; node:net TCP ${percentile(tcp, 50).toFixed(1)}/${percentile(tcp, 99).toFixed(1)}`);
  dealer.close();
  sock.destroy();
  child.kill();
}
