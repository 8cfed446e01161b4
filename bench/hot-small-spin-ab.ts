/**
 * The idle spin of DSO calls on and off in one run (issue 13): two node processes, one with the
 * spin (`CRUCIAL_IDLE_SPIN_US`, default 200) and one without (0), each with a client of the same
 * setting in this process; 1 KB put / get or addAndGet in alternating blocks. `--placement split`
 * pins this process to CPU 0 and the nodes to CPU 1, `same` all to CPU 0 (where the spin must not
 * cost the peer its turns). Prints p50-p99 of each and the spin's decisions (rounds kept/dropped).
 *
 *   npx tsx bench/hot-small-spin-ab.ts [--placement split|same] [--op put|get|addAndGet] [--blocks 10] [--per 2000]
 */
import { Command, Option } from 'commander';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinProcess } from './lib/servers.ts';
import { Connection } from '../core/client/connection.ts';
import { startDso } from '../dso/node.ts';

const NODE_ROLE = 'spin-ab-node';

/** An IdleSpin's decisions: rounds kept, dropped, and dropped at once for a starved peer. */
interface Counts { kept: number; dropped: number; starved: number }

if (process.argv[2] === NODE_ROLE) {
  const node = await startDso({ port: 0, insecure: true });
  process.send!(node.address);
  // The node's spin decisions, asked for at the end.
  process.on('message', () => process.send!((node as unknown as { spin: { counts: unknown } }).spin.counts));
} else {
  const opts = new Command('hot-small-spin-ab')
    .addOption(new Option('-p, --placement <how>').choices(['split', 'same']).default('split'))
    .addOption(new Option('--op <op>', 'the call timed').choices(['put', 'get', 'addAndGet']).default('addAndGet'))
    .option('--blocks <n>', 'alternating blocks per side', '10').option('--per <n>', 'calls per block', '2000').option('--spin-us <µs>', 'the spinning side\'s length', '200')
    .parse().opts<{ placement: 'split' | 'same'; op: 'put' | 'get' | 'addAndGet'; blocks: string; per: string; spinUs: string }>();
  pinProcess(process.pid, '0');
  const side = async (spinUs: string) => {
    const child = fork(fileURLToPath(import.meta.url), [NODE_ROLE], { execArgv: ['--import', 'tsx'], env: { ...process.env, CRUCIAL_IDLE_SPIN_US: spinUs } });
    process.once('exit', () => child.kill('SIGKILL'));
    pinProcess(child.pid!, opts.placement === 'split' ? '1' : '0');
    const address = await new Promise<string>((r) => child.once('message', (m) => r(m as string)));
    return { child, conn: new Connection(address, { security: null, idleSpinUs: Number(spinUs) }), lat: [] as number[] };
  };
  const sides = { spin: await side(opts.spinUs), still: await side('0') };
  const kb = new Uint8Array(1024).fill(7);
  const call = (c: Connection) => opts.op === 'put' ? c.call('AtomicReference', 'r', 'set', [kb])
    : opts.op === 'get' ? c.call('AtomicReference', 'r', 'get', []) : c.call('AtomicLong', 'n', 'addAndGet', [1]);
  for (const s of Object.values(sides)) {
    await s.conn.call('AtomicReference', 'r', 'set', [kb]);
    for (let i = 0; i < 1000; i++) await call(s.conn);
  }
  for (let b = 0; b < Number(opts.blocks); b++) {
    for (const s of b % 2 ? [sides.still, sides.spin] : [sides.spin, sides.still]) {
      for (let i = 0; i < Number(opts.per); i++) {
        const t0 = performance.now();
        await call(s.conn);
        s.lat.push(performance.now() - t0);
      }
    }
  }
  const q = (l: number[], p: number) => l[Math.min(l.length - 1, Math.floor(l.length * p))]! * 1000;
  console.log(`| ${opts.placement}, ${opts.op} | p50 µs | p90 | p95 | p98 | p99 | client rounds kept / dropped (starved) | node rounds kept / dropped (starved) |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |');
  for (const [name, s] of Object.entries(sides)) {
    s.lat.sort((a, b) => a - b);
    s.child.send('counts');
    const node = await new Promise<Counts>((r) => s.child.once('message', (m) => r(m as Counts)));
    const client = (s.conn as unknown as { spin: { counts: Counts } }).spin.counts;
    const show = (c: Counts) => `${c.kept} / ${c.dropped} (${c.starved})`;
    console.log(`| ${name === 'spin' ? `spin ${opts.spinUs} µs` : 'no spin'} | ${[0.5, 0.9, 0.95, 0.98, 0.99].map((p) => q(s.lat, p).toFixed(1)).join(' | ')} | ${show(client)} | ${show(node)} |`);
  }
  const r = (p: number) => (q(sides.spin.lat, p) / q(sides.still.lat, p)).toFixed(2);
  console.log(`\nspin / no spin: p50 ${r(0.5)}, p99 ${r(0.99)}`);
  for (const s of Object.values(sides)) { await s.conn.close(); s.child.kill(); }
}
