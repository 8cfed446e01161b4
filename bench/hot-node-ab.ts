/**
 * The node alone, before/after in one run (issue 13): this checkout's client talks to two nodes, one
 * from another checkout (`--base DIR`, `git archive <commit> | tar -x -C DIR`, node_modules linked)
 * and this checkout's, so only the node differs. Besides latency it reads each node process's CPU
 * time (/proc/<pid>/schedstat) around every measurement: node CPU µs per call moves far less with the
 * machine's load than a round trip does.
 *
 *   npx tsx bench/hot-node-ab.ts --base /tmp/hn-base [--n 20000] [--rounds 6] [--only barrier,complex,small] [--insecure]
 *
 * `--insecure` starts this checkout's node without authentication too (NULL, as the base's was).
 */
import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { latencyGroup, throughput } from './lib/measure.ts';
import { pinProcess } from './lib/servers.ts';
import { PLAIN_USERNAME, registerCredentials } from '../core/protocol/transport/credentials.ts';
import * as core from '../core/index.ts';

const opts = new Command('hot-node-ab').requiredOption('--base <dir>', 'the checkout whose node to compare with').option('--n <n>', 'timed small calls per side and row', '20000')
  .option('--rounds <n>', 'alternating rounds of the barrier and complex rows', '6').option('--only <rows>', 'comma list of small, complex, barrier', 'small,complex,barrier')
  .option('--insecure', "this checkout's node without authentication (NULL)").option('--complex-seconds <s>', 'seconds per side and round of the complex op', '1.5')
  .addOption(new Option('-p, --placement <how>').choices(['split', 'same', 'none']).default('split'))
  .parse().opts<{ base: string; n: string; rounds: string; only: string; insecure?: boolean; complexSeconds: string; placement: string }>();
const N = Number(opts.n);
const ROUNDS = Number(opts.rounds);
const only = new Set(opts.only.split(','));
const SERVER_CPUS = opts.placement === 'split' ? '1' : opts.placement === 'same' ? '0' : undefined;
if (SERVER_CPUS !== undefined) pinProcess(process.pid, '0');
const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
type Side = 'before' | 'after';
const SIDES: Side[] = ['before', 'after'];

/** CPU time a process has run (user + system), µs: /proc/<pid>/schedstat counts nanoseconds, where /proc/<pid>/stat counts 10 ms ticks. */
function cpuUs(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/schedstat`, 'latin1').split(' ')[0]) / 1000;
}

async function node(tree: string, insecure: boolean) {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/ab-child.ts', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AB_TREE: tree, ...(insecure ? { AB_NODE_OPTS: '{"insecure":true}' } : {}) },
  });
  process.once('exit', () => child.kill('SIGKILL'));
  const [address, token] = await new Promise<[string, string]>((res, rej) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => { buf += d; const m = /READY (\S+) (\S*)\n/.exec(buf); if (m) res([m[1]!, m[2]!]); });
    child.once('exit', (c) => rej(new Error(`node of ${tree} exited with ${c}`)));
  });
  if (SERVER_CPUS !== undefined) pinProcess(child.pid!, SERVER_CPUS);
  if (token) registerCredentials(address, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: token });
  return { child, address, pid: child.pid!, conn: core.connect(address) };
}

const nodes = { before: await node(resolve(opts.base), false), after: await node(HERE, !!opts.insecure) };
console.log(`node before: ${resolve(opts.base)}; node after: ${HERE}${opts.insecure ? ' (insecure)' : ''}; client: this checkout's; placement ${opts.placement}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const f1 = (v: number) => v.toFixed(1);
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };

if (only.has('small')) {
  const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
  const objs = Object.fromEntries(await Promise.all(SIDES.map(async (k) => {
    const ref = new core.AtomicReference<Uint8Array>('hn.1kb', kb, { connection: nodes[k].conn });
    const along = new core.AtomicLong('hn.counter', 0, { connection: nodes[k].conn });
    await ref.set(kb);
    await along.get();
    return [k, { ref, along }];
  }))) as Record<Side, { ref: core.AtomicReference<Uint8Array>; along: core.AtomicLong }>;
  console.log(`\n${N} calls per side and row, rotating blocks of 500; node CPU = the node process's CPU time over the row / calls\n`);
  console.log('| row | before p50 | after p50 | after/before p50 | before p99 | after p99 | node CPU/call before | after | after/before CPU |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const rows: [string, (o: (typeof objs)[Side]) => Promise<unknown>][] = [
    ['1 KB put', (o) => o.ref.set(kb)],
    ['1 KB get', (o) => o.ref.get()],
    ['addAndGet', (o) => o.along.addAndGet(3)],
  ];
  for (const [name, call] of rows) {
    const cpu = { before: 0, after: 0 };
    // CPU is read around each side's blocks: wrap the ops so each call's side is charged its node's time.
    const wrap = (k: Side) => { const o = objs[k]; return () => call(o); };
    const c0 = { before: cpuUs(nodes.before.pid), after: cpuUs(nodes.after.pid) };
    const g = await latencyGroup({ before: wrap('before'), after: wrap('after') }, N);
    // Both nodes idle while the other side runs (a sequential client), so each node's CPU over the row is its own calls'.
    for (const k of SIDES) cpu[k] = (cpuUs(nodes[k].pid) - c0[k]) / (N + Math.min(500, N));
    console.log(`| ${name} | ${f1(g.before.p50)} | ${f1(g.after.p50)} | ${(g.after.p50 / g.before.p50).toFixed(2)} | ${f1(g.before.p99)} | ${f1(g.after.p99)} | ${cpu.before.toFixed(2)} | ${cpu.after.toFixed(2)} | ${(cpu.after / cpu.before).toFixed(2)} |`);
  }
}

const complex: Record<Side, number[]> = { before: [], after: [] };
const complexCpu: Record<Side, number[]> = { before: [], after: [] };
const barrier: Record<Side, number[]> = { before: [], after: [] };
const barrierCpu: Record<Side, number[]> = { before: [], after: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const k of (round % 2 ? ['after', 'before'] : ['before', 'after']) as Side[]) {
    const s = nodes[k];
    const conns = Array.from({ length: 8 }, () => core.connect(s.address));
    if (only.has('complex')) {
      const objects = conns.map((c) => Array.from({ length: 64 }, (_, j) => new core.AtomicLong(`hn.complex.${j}`, 1, { connection: c })));
      await Promise.all(objects.flat().map((o) => o.get()));
      const c0 = cpuUs(s.pid);
      const t = await throughput(8, Number(opts.complexSeconds), (c) => objects[c]![Math.floor(Math.random() * 64)]!.multiply(3, 10_000));
      complex[k].push(t.opsPerSec);
      complexCpu[k].push((cpuUs(s.pid) - c0) / t.ops);
    }
    if (only.has('barrier')) {
      const parties = conns.map((c) => new core.CyclicBarrier(`hn.barrier.${round}`, 8, { connection: c }));
      await Promise.all(parties.map((b) => b.await()));
      const R = 200;
      const c0 = cpuUs(s.pid);
      const t0 = performance.now();
      await Promise.all(parties.map(async (b) => { for (let i = 0; i < R; i++) await b.await(); }));
      barrier[k].push(((performance.now() - t0) / R) * 1000);
      barrierCpu[k].push((cpuUs(s.pid) - c0) / (R * 8));
    }
    await Promise.all(conns.map((c) => c.close()));
  }
}
const line = (what: string, xs: Record<Side, number[]>, unit: string) =>
  console.log(`${what}, median of ${ROUNDS} alternating rounds: before ${f1(med(xs.before))}, after ${f1(med(xs.after))} ${unit} (after/before ${(med(xs.after) / med(xs.before)).toFixed(2)}); rounds before ${xs.before.map(f1).join(' ')}, after ${xs.after.map(f1).join(' ')}`);
if (only.has('complex') && ROUNDS > 0) {
  line('\ncomplex op throughput (8 clients x 64 objects, multiply(3, 10000))', complex, 'ops/s');
  line('complex op node CPU per op', complexCpu, 'µs');
}
if (only.has('barrier') && ROUNDS > 0) {
  line('\nbarrier crossing, 8 parties, 200 crossings per round', barrier, 'µs');
  line('barrier node CPU per await', barrierCpu, 'µs');
}
console.log(`load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
for (const s of Object.values(nodes)) { await s.conn.close(); s.child.kill('SIGTERM'); }
process.exit(0);
