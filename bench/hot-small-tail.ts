/**
 * Where a small call's tail comes from when client and server share one core (issue 13, `same`):
 * one client process and one server (a DSO node, or crucial's bare ZMTP echo) both on CPU 0, a
 * timed run of calls after a warm-up, and with --trace the scheduler's view of that run
 * (`perf record -e sched:sched_switch,irq_vectors:local_timer_entry -C 0`, on the same monotonic
 * clock): how long each process ran per wake-up, how many long runs held a timer tick. With
 * `git apply bench/patches/peer-trace.patch` and PEER_TRACE=1, the ZMTP peer also marks when a read
 * reached JavaScript and when the reply's write began and ended, so a run splits into the kernel
 * before JavaScript ("in"), JavaScript up to the write ("js"), the write ("write") and the rest
 * ("after").
 *
 *   npx tsx bench/hot-small-tail.ts [--side dso|echo] [--op get|put|addAndGet] [--calls 20000] [--warmup 20000] [--trace]
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Command, Option } from 'commander';
import { pinProcess } from './lib/servers.ts';
import { startFloorServer, zmtpEcho } from './lib/floor.ts';
import { PLAIN_USERNAME, registerCredentials } from '../core/protocol/transport/credentials.ts';
import { connect, AtomicLong, AtomicReference } from '../core/index.ts';
import { percentile } from '../examples/lib/stats.ts';

const opts = new Command('hot-small-tail')
  .description('a small call\'s round trips with client and server on CPU 0, and (--trace) each process\'s runs as the scheduler saw them')
  .addOption(new Option('--side <side>', 'the server').choices(['dso', 'echo']).default('dso'))
  .addOption(new Option('--op <op>', 'the DSO call (the echo moves the same bytes)').choices(['get', 'put', 'addAndGet']).default('get'))
  .option('--calls <n>', 'timed calls', '20000')
  .option('--warmup <n>', 'untimed calls first', '20000')
  .option('--trace', 'record the scheduler on CPU 0 during the timed calls (needs perf)', false)
  .parse().opts<{ side: 'dso' | 'echo'; op: 'get' | 'put' | 'addAndGet'; calls: string; warmup: string; trace: boolean }>();
const N = Number(opts.calls);

pinProcess(process.pid, '0');
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
// Bytes up / down of each DSO call, as bench/dso-vs-redis.ts's floor moves them.
const SIZES = { put: [1077, 9], get: [50, 1035], addAndGet: [56, 18] } as const;
let serverPid: number;
let call: () => Promise<unknown>;
let stop: () => void;
if (opts.side === 'dso') {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./lib/ab-child.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [address, token] = await new Promise<[string, string]>((res) => { let b = ''; child.stdout!.on('data', (d) => { b += d; const m = /READY (\S+) (\S*)\n/.exec(b); if (m) res([m[1]!, m[2]!]); }); });
  pinProcess(child.pid!, '0');
  if (token) registerCredentials(address, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: token });
  const conn = connect(address);
  const ref = new AtomicReference('tail.1kb', kb, { connection: conn });
  const al = new AtomicLong('tail.c', 0, { connection: conn });
  await ref.set(kb);
  call = opts.op === 'get' ? () => ref.get() : opts.op === 'put' ? () => ref.set(kb) : () => al.addAndGet(3);
  serverPid = child.pid!;
  stop = () => child.kill();
} else {
  const floor = await startFloorServer('0');
  serverPid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-f', 'floor-server']).toString().trim().split('\n')[0]);
  const z = await zmtpEcho(floor.zmtp);
  const [up, down] = SIZES[opts.op];
  call = () => z.echo(up, down);
  stop = () => z.close();
}
for (let i = 0; i < Number(opts.warmup); i++) await call();

const PERF_DATA = '/tmp/hot-small-tail.data';
const marksOf = (pid: number) => `/tmp/peer-${pid}.json`;
for (const pid of [process.pid, serverPid]) rmSync(marksOf(pid), { force: true });
const perf = opts.trace ? spawn('perf', ['record', '-q', '-k', 'mono', '-e', 'sched:sched_switch', '-e', 'irq_vectors:local_timer_entry', '-C', '0', '-o', PERF_DATA], { stdio: 'ignore' }) : undefined;
if (perf) await new Promise((r) => setTimeout(r, 1500));
const at = new Float64Array(N);
const lat = new Float64Array(N);
for (let i = 0; i < N; i++) {
  const t = process.hrtime.bigint();
  await call();
  at[i] = Number(t) / 1e3;
  lat[i] = Number(process.hrtime.bigint() - t) / 1e3;
}
const q = (a: ArrayLike<number>, ps = [50, 90, 98, 99, 99.5]) => ps.map((p) => `p${p} ${percentile(Array.from(a), p).toFixed(1)}`).join(', ');
console.log(`${opts.side} ${opts.op}, ${N} calls after ${opts.warmup}, client and server on CPU 0: round trip µs ${q(lat)}`);

if (perf) {
  perf.kill('SIGINT');
  await new Promise((r) => perf.once('exit', r));
  if (process.env.PEER_TRACE === '1') {
    process.kill(serverPid, 'SIGUSR2');
    process.kill(process.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 800));
  }
  report(execFileSync('perf', ['script', '-i', PERF_DATA, '-F', 'tid,time,event,trace'], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
}
stop();
process.exit(0);

/** Each process's runs on CPU 0 in the timed window, and (with the peer's marks) their phases. */
function report(script: string): void {
  const t0 = at[0]!, t1 = at[N - 1]! + lat[N - 1]!;
  const runs = new Map<number, [number, number][]>([[process.pid, []], [serverPid, []]]);
  const ticks: number[] = [];
  let cur = -1, start = 0;
  for (const line of script.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+\.\d+):\s+(\S+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const t = Number(m[2]) * 1e6;
    if (t < t0 || t > t1) continue;
    if (m[3]!.includes('local_timer')) { ticks.push(t); continue; }
    const next = Number(/next_pid=(\d+)/.exec(m[4]!)?.[1] ?? -1);
    runs.get(cur)?.push([start, t]);
    cur = next; start = t;
  }
  console.log(`\n${ticks.length} timer ticks on CPU 0 in the timed ${((t1 - t0) / 1e3).toFixed(0)} ms`);
  console.log('| process | runs | run p50 / p90 / p99 µs | runs > 35 µs | of them with a tick | phases µs, runs < 15 µs: in / js / write / after | runs > 35 µs |');
  console.log('| --- | ---: | --- | ---: | ---: | --- | --- |');
  for (const [pid, list] of runs) {
    const who = pid === process.pid ? 'client' : opts.side === 'dso' ? 'DSO node' : 'ZMTP echo';
    const len = list.map(([a, b]) => b - a);
    const long = list.filter(([a, b]) => b - a > 35);
    const withTick = long.filter(([a, b]) => ticks.some((t) => t >= a && t <= b)).length;
    const marks = existsSync(marksOf(pid)) ? JSON.parse(readFileSync(marksOf(pid), 'utf8')) as number[] : null;
    const phases = (sel: [number, number][]) => (marks ? phaseMedians(sel, marks) : '(no marks: see the header)');
    console.log(`| ${who} | ${list.length} | ${[50, 90, 99].map((p) => percentile(len, p).toFixed(1)).join(' / ')} | ${long.length} | ${withTick} | ${phases(list.filter(([a, b]) => b - a < 15))} | ${phases(long)} |`);
  }
}

/**
 * Median of each phase over the runs that show it: "in" from the run's start to its first read mark,
 * "js" from there to the next write's begin, "write" to that write's end and "after" from then to the
 * run's end (a write the reader preempts ends in the writer's next run, so not every run has all four).
 */
function phaseMedians(sel: [number, number][], marks: number[]): string {
  const ev: [number, number][] = [];
  for (let i = 0; i + 1 < marks.length; i += 2) ev.push([marks[i + 1]!, marks[i]!]);
  ev.sort((x, y) => x[0] - y[0]);
  const times = ev.map((e) => e[0]);
  const lower = (t: number) => { let lo = 0, hi = times.length; while (lo < hi) { const mid = (lo + hi) >> 1; if (times[mid]! < t) lo = mid + 1; else hi = mid; } return lo; };
  const ph: number[][] = [[], [], [], []];
  for (const [a, b] of sel) {
    let rd = 0, w0 = 0, w1 = 0;
    for (let k = lower(a); k < times.length && times[k]! <= b; k++) {
      const [t, kind] = ev[k]!;
      if (kind === 1 && !rd) rd = t; else if (kind === 2 && rd && !w0) w0 = t; else if (kind === 3 && w0 && !w1) w1 = t;
    }
    if (rd) ph[0]!.push(rd - a);
    if (w0) ph[1]!.push(w0 - rd);
    if (w1) { ph[2]!.push(w1 - w0); ph[3]!.push(b - w1); }
  }
  return ph.map((p) => (p.length ? percentile(p, 50).toFixed(1) : '—')).join(' / ');
}
