/**
 * DSO vs Redis, side by side in one run (issue 2 §8; seed Table 2, Fig 3, Fig 6c). Starts
 * redis-server and a DSO node on loopback, each in its own process, and measures from this process:
 * 1 KB get/put latency, AtomicLong.addAndGet vs INCRBY, a complex server-side operation (10,000
 * multiplications) vs the same loop as a Lua script with 8 clients over 64 objects, and the time to
 * cross a barrier vs the Redis BLPOP barrier. Writes the table into bench/RESULTS.md.
 *
 *   npm run bench [-- --quick] [--transport zmtp|libzmq] [--placement split|same|none] [--no-floor] [--warmup N]
 *
 * Warm-up: every side makes `--warmup` calls (20,000) before each latency row is timed, so the rows
 * are the steady state. A fresh Node client and node are still compiling their hot path through the
 * first ~10,000 calls (`--trace-opt`), and on one core those compilations and their deopts decide the
 * p99; the warm-up calls are timed too and shown in their own table, so that cost stays in view.
 *
 * Floor (issue 13; on unless --no-floor): the latency rows also time, interleaved in the same blocks,
 * a bare node:net echo and a bare ZMTP echo (crucial's own DEALER/ROUTER, no codec, no dispatch) in
 * a third server process placed like the others, moving the same bytes each way as the DSO call; the
 * floor table gives DSO/Redis and DSO/ZMTP-echo per row at p50 and p99, and the GC pauses of this
 * process and of the node during those rows (perf_hooks 'gc').
 *
 * Placement: on a VM a wake-up on another CPU costs ~50 µs more than on the same one, and left to
 * itself the scheduler places a light redis-server and a Node process differently, so both servers
 * are pinned alike: `split` (default) puts this process on CPU 0 and both servers on CPU 1, as a
 * client and a server on different machines; `same` puts everything on CPU 0.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import benny from 'benny';
import { AtomicLong, AtomicReference, CyclicBarrier, connect, type Connection } from 'crucial';
import { resolveTransport } from '../core/protocol/transport/socket.ts';
import { latencyGroup, latencyPair, throughput, type Latency } from './lib/measure.ts';
import { startFloorServer, tcpEcho, zmtpEcho, type FloorServer } from './lib/floor.ts';
import { GcWatch, type GcStats } from './lib/gc.ts';
import { WireCodec } from '../core/protocol/wire/codec.ts';
import { MissingRedisError, pinProcess, startDsoProcess, startRedis, type Server } from './lib/servers.ts';

interface Row {
  name: string;
  unit: string;
  dso: number;
  redis: number;
  /** 'time': lower is better (ratio = dso/redis); 'rate': higher is better (ratio = redis/dso, i.e. still a time ratio). */
  kind: 'time' | 'rate';
  /** Ratio (DSO time over Redis time) the issue asks to stay under, if any. */
  target?: number;
}

const ratio = (r: Row) => (r.kind === 'time' ? r.dso / r.redis : r.redis / r.dso);

const opts = new Command('dso-vs-redis')
  .description('benchmarks a DSO node against redis-server on loopback, in one run, and records the ratios in bench/RESULTS.md')
  .option('-q, --quick', 'short run (smaller samples; for a smoke test)', false)
  .option('--no-write', 'do not update bench/RESULTS.md')
  .option('--no-floor', 'leave out the bare node:net / ZMTP echo floor beside the latency rows')
  .addOption(new Option('-p, --placement <how>', 'CPU placement of the clients and the two servers').choices(['split', 'same', 'none']).default('split'))
  .option('-t, --transport <kind>', 'DSO transport for the node and its clients: zmtp (crucial\'s ZMTP over node:net) or libzmq (zeromq.js)', 'zmtp')
  .option('-w, --warmup <calls>', 'calls of every side before each latency row is timed (default 20000, 1000 with --quick): V8 is still compiling the client\'s and the node\'s hot path through the first ~10,000 calls', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of calls, 0 or more');
    return n;
  })
  .parse()
  .opts<{ quick: boolean; write: boolean; floor: boolean; transport: string; placement: 'split' | 'same' | 'none'; warmup?: number }>();

// The node (a child process) and every client here read the transport from the environment.
process.env.CRUCIAL_TRANSPORT = resolveTransport(opts.transport);
const TRANSPORT = process.env.CRUCIAL_TRANSPORT;

const Q = opts.quick;
// Read before pinning: a pinned process sees only its own CPUs.
const NPROC = availableParallelism();
const PLACEMENT = NPROC < 2 && opts.placement === 'split' ? 'same' : opts.placement;
const SERVER_CPUS = PLACEMENT === 'split' ? '1' : PLACEMENT === 'same' ? '0' : undefined;
if (PLACEMENT !== 'none' && !pinProcess(process.pid, '0')) {
  console.error('dso-vs-redis: cannot pin processes to CPUs (is taskset installed?); use --placement none');
  process.exit(2);
}
const N_LAT = Q ? 2_000 : 20_000;
const WARMUP = opts.warmup ?? (Q ? 1_000 : 20_000);
const COMPLEX_SECONDS = Q ? 2 : 8;
const BARRIER_ROUNDS = Q ? 50 : 300;
const BENNY_MAX_TIME = Q ? 0.5 : 3;
const MULTIPLICATIONS = 10_000;
const COMPLEX_CLIENTS = 8;
const COMPLEX_OBJECTS = 64;

/** 10,000 multiplications server side, as the DSO's AtomicLong.multiply does. Lua numbers are
 *  doubles, so the value is kept below 2^53 with a modulus (the DSO wraps at 2^64 with BigInt). */
const MULTIPLY_LUA = `
local v = tonumber(redis.call('GET', KEYS[1]) or '1')
local f = tonumber(ARGV[1])
for i = 1, tonumber(ARGV[2]) do v = (v * f) % 4503599627370449 end
redis.call('SET', KEYS[1], v)
return v`;

/** The standard Redis barrier: INCR an arrival counter; the last one RPUSHes parties-1 tokens, the others BLPOP. */
async function redisBarrier(r: Redis, name: string, round: number, parties: number): Promise<void> {
  const cnt = `${name}:${round}:n`;
  const list = `${name}:${round}:q`;
  const n = await r.incr(cnt);
  if (n === parties) {
    if (parties > 1) await r.rpush(list, ...Array.from({ length: parties - 1 }, () => '1'));
    await r.del(cnt);
  } else {
    await r.blpop(list, 0);
  }
}

async function main(): Promise<void> {
  let redis: Server;
  try {
    redis = await startRedis({ cpus: SERVER_CPUS });
  } catch (err) {
    if (err instanceof MissingRedisError) { console.error(`dso-vs-redis: ${err.message}`); process.exit(2); }
    throw err;
  }
  const dso = await startDsoProcess({ cpus: SERVER_CPUS });
  const floorServer: FloorServer | undefined = opts.floor ? await startFloorServer(SERVER_CPUS) : undefined;
  const closers: (() => void)[] = [];
  const redisConns: Redis[] = [];
  const dsoConns: Connection[] = [];
  const newRedis = () => { const r = new Redis({ port: redis.port, host: '127.0.0.1' }); redisConns.push(r); return r; };
  const newDso = () => { const c = connect(dso.address); dsoConns.push(c); return c; };
  const rows: Row[] = [];
  const log = (s: string) => console.error(s);
  try {
    log(`redis-server ${redis.version} at ${redis.address}; DSO node at ${dso.address} over ${TRANSPORT}${Q ? ' (quick run)' : ''}`);
    const r0 = newRedis();
    const c0 = newDso();
    await r0.flushall();

    // 1 KB get/put (seed Table 2)
    const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
    const kbBuf = Buffer.from(kb);
    const ref = new AtomicReference<Uint8Array>('bench.1kb', kb, { connection: c0 });
    await ref.set(kb);
    await r0.set('bench.1kb', kbBuf);
    const along = new AtomicLong('bench.counter', 0, { connection: c0 });
    await along.get();
    // The floor moves the bytes the DSO call moves: its request and reply, as the codec encodes them.
    const wc = new WireCodec();
    const bytes = (frames: Uint8Array[]) => frames.reduce((n, f) => n + f.byteLength, 0);
    const sizes = {
      '1 KB put': [bytes(wc.encodeCall(c0.clientId, 1e6, 'AtomicReference', 'bench.1kb', 'set', [kb])), bytes(wc.encodeOk(1e6, null))],
      '1 KB get': [bytes(wc.encodeCall(c0.clientId, 1e6, 'AtomicReference', 'bench.1kb', 'get', [])), bytes(wc.encodeOk(1e6, kb))],
      'addAndGet / INCRBY': [bytes(wc.encodeCall(c0.clientId, 1e6, 'AtomicLong', 'bench.counter', 'addAndGet', [3])), bytes(wc.encodeOk(1e6, 123456n))],
    } as const;
    const tcp = floorServer ? await tcpEcho(floorServer.tcpPort) : undefined;
    const zmtp = floorServer ? await zmtpEcho(floorServer.zmtp) : undefined;
    if (tcp) closers.push(tcp.close);
    if (zmtp) closers.push(zmtp.close);
    const gc = new GcWatch();
    await dso.gc?.();
    const group = async (name: keyof typeof sizes, d: () => Promise<unknown>, r: () => Promise<unknown>): Promise<[Latency, Latency]> => {
      const [up, down] = sizes[name];
      if (!tcp || !zmtp) return latencyPair(d, r, N_LAT, 500, WARMUP);
      const g = await latencyGroup({ dso: d, redis: r, tcp: () => tcp.echo(up, down), zmtp: () => zmtp.echo(up, down) }, N_LAT, 500, WARMUP);
      floorRows.push({ name, up, down, ...g });
      return [g.dso, g.redis];
    };
    log(`1 KB put/get latency${tcp ? ', with the floor interleaved' : ''} ...`);
    const lat: Record<string, [Latency, Latency]> = {
      '1 KB put': await group('1 KB put', () => ref.set(kb), () => r0.set('bench.1kb', kbBuf)),
      '1 KB get': await group('1 KB get', () => ref.get(), () => r0.getBuffer('bench.1kb')),
    };
    // AtomicLong.addAndGet vs INCRBY
    log('addAndGet vs INCRBY latency ...');
    lat['addAndGet / INCRBY'] = await group('addAndGet / INCRBY', () => along.addAndGet(3), () => r0.incrby('bench.counter', 3));
    gcClient = gc.stop();
    gcNode = await dso.gc?.();
    for (const [name, [d, r]] of Object.entries(lat)) {
      rows.push({ name: `${name} p50`, unit: 'µs', dso: d.p50, redis: r.p50, kind: 'time', target: 1.5 });
      rows.push({ name: `${name} p99`, unit: 'µs', dso: d.p99, redis: r.p99, kind: 'time' });
    }

    // The same simple operations with benny (sequential, one connection each side).
    log('benny micro-benchmarks ...');
    const bennyCases = { maxTime: BENNY_MAX_TIME, minSamples: 5 };
    const summary = await benny.suite(
      'dso-vs-redis simple operations',
      benny.add('dso 1 KB put', async () => { await ref.set(kb); }, bennyCases),
      benny.add('redis 1 KB put', async () => { await r0.set('bench.1kb', kbBuf); }, bennyCases),
      benny.add('dso 1 KB get', async () => { await ref.get(); }, bennyCases),
      benny.add('redis 1 KB get', async () => { await r0.getBuffer('bench.1kb'); }, bennyCases),
      benny.add('dso addAndGet', async () => { await along.addAndGet(3); }, bennyCases),
      benny.add('redis INCRBY', async () => { await r0.incrby('bench.counter', 3); }, bennyCases),
    );
    const hz = (name: string) => summary.results.find((r) => r.name === name)!.ops;
    for (const [d, r, label] of [['dso 1 KB put', 'redis 1 KB put', '1 KB put'], ['dso 1 KB get', 'redis 1 KB get', '1 KB get'], ['dso addAndGet', 'redis INCRBY', 'addAndGet / INCRBY']] as const) {
      rows.push({ name: `${label} (benny, 1 client)`, unit: 'ops/s', dso: hz(d), redis: hz(r), kind: 'rate' });
    }

    // Complex operation (seed Fig 3): 8 clients, 64 objects, 10,000 multiplications per call.
    log(`complex operation: ${COMPLEX_CLIENTS} clients x ${COMPLEX_OBJECTS} objects, ${MULTIPLICATIONS} multiplications per call ...`);
    const dsoClients = Array.from({ length: COMPLEX_CLIENTS }, () => {
      const connection = newDso();
      return Array.from({ length: COMPLEX_OBJECTS }, (_, k) => new AtomicLong(`bench.complex.${k}`, 1, { connection }));
    });
    await Promise.all(dsoClients[0]!.map((o) => o.get()));
    const redisClients = Array.from({ length: COMPLEX_CLIENTS }, () => newRedis());
    const sha = (await r0.script('LOAD', MULTIPLY_LUA)) as string;
    for (let k = 0; k < COMPLEX_OBJECTS; k++) await r0.set(`bench.complex.${k}`, '1');
    const pick = () => Math.floor(Math.random() * COMPLEX_OBJECTS);
    const dsoComplex = await throughput(COMPLEX_CLIENTS, COMPLEX_SECONDS, (c) => dsoClients[c]![pick()]!.multiply(3, MULTIPLICATIONS));
    const redisComplex = await throughput(COMPLEX_CLIENTS, COMPLEX_SECONDS, (c) => redisClients[c]!.evalsha(sha, 1, `bench.complex.${pick()}`, '3', String(MULTIPLICATIONS)));
    rows.push({ name: 'complex op throughput (8 clients, 64 objects)', unit: 'ops/s', dso: dsoComplex.opsPerSec, redis: redisComplex.opsPerSec, kind: 'rate', target: 1 });
    rows.push({ name: 'complex op p50', unit: 'µs', dso: dsoComplex.p50, redis: redisComplex.p50, kind: 'time' });

    // Barriers (seed Fig 6c): every party on its own connection, rounds back to back.
    for (const parties of [2, 8, 32]) {
      log(`barrier with ${parties} parties, ${BARRIER_ROUNDS} rounds ...`);
      const key = `bench.barrier.${parties}`;
      const dsoParties = Array.from({ length: parties }, () => new CyclicBarrier(key, parties, { connection: newDso() }));
      const redisParties = Array.from({ length: parties }, () => newRedis());
      await Promise.all(redisParties.map((r) => r.ping()));
      await Promise.all(dsoParties.map((b) => b.getParties()));
      const timeRounds = async (cross: (p: number, round: number) => Promise<unknown>) => {
        await Promise.all(Array.from({ length: parties }, async (_, p) => { for (let i = 0; i < 5; i++) await cross(p, -1 - i); }));
        const t = performance.now();
        await Promise.all(Array.from({ length: parties }, async (_, p) => { for (let i = 0; i < BARRIER_ROUNDS; i++) await cross(p, i); }));
        return ((performance.now() - t) / BARRIER_ROUNDS) * 1000;
      };
      const dsoUs = await timeRounds((p) => dsoParties[p]!.await());
      const redisUs = await timeRounds((p, round) => redisBarrier(redisParties[p]!, key, round, parties));
      rows.push({ name: `barrier crossing, ${parties} parties`, unit: 'µs', dso: dsoUs, redis: redisUs, kind: 'time', target: 1 });
    }
  } finally {
    for (const close of closers) close();
    await floorServer?.stop();
    await Promise.all(dsoConns.map((c) => c.close()));
    for (const r of redisConns) r.disconnect();
    await Promise.all([dso.stop(), redis.stop()]);
  }

  const table = formatTable(rows) + (floorRows.length > 0 ? `\n\n${formatFloor(floorRows, gcClient, gcNode)}` : '');
  console.log(table);
  if (opts.write) await writeResults(table, redis.version);
}

interface FloorRow { name: string; up: number; down: number; dso: Latency; redis: Latency; tcp: Latency; zmtp: Latency }
const floorRows: FloorRow[] = [];
let gcClient: GcStats | undefined;
let gcNode: GcStats | undefined;

/** The floor table (issue 13): each row's four sides from the same interleaved blocks, and the goals' ratios. */
function formatFloor(rows: FloorRow[], client?: GcStats, node?: GcStats): string {
  const lines = [
    'Floor, same run and same blocks (µs; bytes up/down as the DSO call moves them): goals p50 DSO/Redis ≤ 1.0 and DSO/ZMTP echo ≤ 1.15, p99 DSO/Redis ≤ 1.5.',
    '',
    '| row | bytes up/down | DSO p50 | Redis p50 | ZMTP echo p50 | node:net echo p50 | DSO/Redis p50 | DSO/ZMTP p50 | DSO p99 | Redis p99 | ZMTP echo p99 | node:net echo p99 | DSO/Redis p99 | DSO/ZMTP p99 |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.name} | ${r.up}/${r.down} | ${fmt(r.dso.p50)} | ${fmt(r.redis.p50)} | ${fmt(r.zmtp.p50)} | ${fmt(r.tcp.p50)} | ${(r.dso.p50 / r.redis.p50).toFixed(2)} | ${(r.dso.p50 / r.zmtp.p50).toFixed(2)} | ${fmt(r.dso.p99)} | ${fmt(r.redis.p99)} | ${fmt(r.zmtp.p99)} | ${fmt(r.tcp.p99)} | ${(r.dso.p99 / r.redis.p99).toFixed(2)} | ${(r.dso.p99 / r.zmtp.p99).toFixed(2)} |`);
  }
  // What the timed rows leave out, shown beside them: the warm-up calls' own tail.
  lines.push('', `Warm-up (the ${WARMUP.toLocaleString('en')} calls of every side before each row is timed, in the same rotating blocks; a fresh node and client at the first row): p50 / p99 µs.`, '',
    '| row | DSO | Redis | ZMTP echo | node:net echo | DSO/Redis p99 |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  const w = (l: Latency) => (l.warmup && l.warmup.n > 0 ? `${fmt(l.warmup.p50)} / ${fmt(l.warmup.p99)}` : '—');
  for (const r of rows) {
    const ratio = r.dso.warmup?.n && r.redis.warmup?.n ? (r.dso.warmup.p99 / r.redis.warmup.p99).toFixed(2) : '—';
    lines.push(`| ${r.name} | ${w(r.dso)} | ${w(r.redis)} | ${w(r.zmtp)} | ${w(r.tcp)} | ${ratio} |`);
  }
  const g = (who: string, s?: GcStats) => (s ? `${who}: ${s.count} GC pauses, ${s.totalMs.toFixed(1)} ms in all, longest ${s.maxMs.toFixed(2)} ms (${s.byKind})` : `${who}: not measured`);
  lines.push('', `GC during the latency rows (perf_hooks 'gc') — ${g('bench process (all clients and the floor)', client)}; ${g('DSO node', node)}.`);
  return lines.join('\n');
}

function fmt(v: number): string {
  return v >= 1000 ? Math.round(v).toLocaleString('en') : v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function formatTable(rows: Row[]): string {
  const lines = [
    '| measurement | unit | DSO | Redis | DSO/Redis time ratio | target | met |',
    '| --- | --- | ---: | ---: | ---: | ---: | :---: |',
  ];
  for (const r of rows) {
    const x = ratio(r);
    const met = r.target === undefined ? '' : x <= r.target ? 'yes' : 'NO';
    const target = r.target === undefined ? '' : r.target === 1 ? '< 1 (faster)' : `≤ ${r.target}`;
    lines.push(`| ${r.name} | ${r.unit} | ${fmt(r.dso)} | ${fmt(r.redis)} | ${x.toFixed(2)} | ${target} | ${met} |`);
  }
  return lines.join('\n');
}

const SECTION = ['## DSO vs Redis', TRANSPORT !== 'zmtp' ? `${TRANSPORT} transport` : '', PLACEMENT !== 'split' ? `placement ${PLACEMENT}` : ''].filter(Boolean).join(', ');

async function writeResults(table: string, redisVersion: string): Promise<void> {
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  let text = '';
  try { text = await readFile(file, 'utf8'); } catch { text = '# Benchmark results\n'; }
  const flags = [Q ? '--quick' : '', TRANSPORT !== 'zmtp' ? `--transport ${TRANSPORT}` : '', PLACEMENT !== 'split' ? `--placement ${PLACEMENT}` : ''].filter(Boolean).join(' ');
  const cmd = `npm run bench${flags ? ` -- ${flags}` : ''}`;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const notesStart = '<!-- dso-vs-redis notes: kept across runs -->';
  const start = text.indexOf(`${SECTION}\n`);
  let end = start >= 0 ? text.indexOf('\n## ', start + SECTION.length) : -1;
  if (end < 0) end = text.length;
  const old = start >= 0 ? text.slice(start, end) : '';
  const notes = old.includes(notesStart) ? old.slice(old.indexOf(notesStart)).trimEnd() : `${notesStart}\n`;
  const body = [
    SECTION,
    '',
    `Command: \`${cmd}\` (bench/dso-vs-redis.ts). Machine: nproc ${NPROC}, ${cpu}, Node ${process.version}, redis-server ${redisVersion}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end of the run (other work on the machine shows up here); ${new Date().toISOString().slice(0, 10)}.`,
    `Both servers run in their own process on 127.0.0.1 (Redis without persistence, the DSO node embedded in a Node child); all clients run in the benchmark process, one connection per concurrent client on both sides. Placement: ${PLACEMENT === 'split' ? 'clients on CPU 0, both servers on CPU 1' : PLACEMENT === 'same' ? 'clients and both servers on CPU 0' : 'left to the scheduler'}. DSO transport: ${TRANSPORT === 'zmtp' ? "zmtp (crucial's ZMTP 3.1 over node:net, the default)" : `${TRANSPORT} (zeromq.js)`}.`,
    'Ratio = DSO time / Redis time (for throughput rows, Redis ops/s / DSO ops/s): below 1 the DSO is faster.',
    '',
    table,
    '',
    notes,
    '',
  ].join('\n');
  text = start >= 0 ? text.slice(0, start) + body + text.slice(end).replace(/^\n+/, '\n') : `${text.trimEnd()}\n\n${body}`;
  await writeFile(file, text);
  console.error(`wrote ${file}`);
}

await main();
process.exit(0);
