/**
 * Where a small call's time goes across processes (issue 13, hot-small): the DSO and the bare ZMTP
 * echo (bench/lib/floor-server.ts) in rotating blocks of 500 calls from one client process, each
 * server in its own process placed like `npm run bench`; per side the round trip's p50/p99 and the
 * CPU time per call of the server process and of the client process (/proc/<pid>/schedstat of the
 * main threads), so the DSO's distance from the echo splits into node CPU, client CPU and the rest.
 *
 *   npx tsx bench/hot-small-acct.ts            env: N (calls per side, 20000), WARM (untimed calls per side and row, 2000), ROWS (put,get,addAndGet),
 *                                               SAME=1 (everything on CPU 0), ALL=1 (CPU of all threads), NODE_FLAGS (node's V8/Node flags), TREE (another checkout's client and node),
 *                                               DUMP=/tmp/x (every call's start and round trip, JSON per row),
 *                                               PERF=/tmp/x (perf record -F 4999 of node, echo and client during each row)
 */
import { fileURLToPath } from 'node:url';
// of the server process and of the client process (schedstat), per side.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
const MAIN = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const TREE = process.env.TREE ?? MAIN;
const { startFloorServer, zmtpEcho } = await import(`${MAIN}/bench/lib/floor.ts`);
const { pinProcess } = await import(`${MAIN}/bench/lib/servers.ts`);
const { PLAIN_USERNAME, registerCredentials } = await import(`${MAIN}/core/protocol/transport/credentials.ts`);
const N = Number(process.env.N ?? 20000), B = 500;
const SAME = process.env.SAME === '1';
pinProcess(process.pid, '0');
const child = spawn(process.execPath, [...(process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', `${MAIN}/bench/lib/ab-child.ts`], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AB_TREE: TREE } });
process.once('exit', () => child.kill('SIGKILL'));
const [address, token] = await new Promise<[string, string]>((res) => { let b = ''; child.stdout!.on('data', (d) => { b += d; const m = /READY (\S+) (\S*)\n/.exec(b); if (m) res([m[1]!, m[2]!]); }); });
pinProcess(child.pid!, SAME ? '0' : '1');
if (token) registerCredentials(address, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: token });
const core = await import(`${TREE}/core/index.ts`);
const conn = core.connect(address);
const floor = await startFloorServer(SAME ? '0' : '1');
const floorPid = Number(execFileSync('pgrep', ['-P', String(process.pid), '-f', 'floor-server']).toString().trim().split('\n')[0]);
const z = await zmtpEcho(floor.zmtp);
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
const ref = new core.AtomicReference('acct.1kb', kb, { connection: conn });
const al = new core.AtomicLong('acct.c', 0, { connection: conn });
await ref.set(kb); await al.get();
// ALL=1: every thread of the process (V8's compiler and GC helpers too), not just its main thread.
const ALL = process.env.ALL === '1';
const taskCpu = (path: string) => Number(readFileSync(path, 'utf8').split(' ')[0]) / 1e3;
const cpu = (pid: number) => ALL
  ? readdirSync(`/proc/${pid}/task`).reduce((s, t) => { try { return s + taskCpu(`/proc/${pid}/task/${t}/schedstat`); } catch { return s; } }, 0)
  : taskCpu(`/proc/${pid}/schedstat`);
const rows: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
  ['put', () => ref.set(kb), () => z.echo(1077, 9)],
  ['get', () => ref.get(), () => z.echo(50, 1035)],
  ['addAndGet', () => al.addAndGet(3), () => z.echo(56, 18)],
];
const pct = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p / 100))]!; };
console.log(`load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ${SAME ? 'same' : 'split'}; N ${N}`);
const ROWS = (process.env.ROWS ?? 'put,get,addAndGet').split(',');
for (const [name, dso, echo] of rows.filter((r) => ROWS.includes(r[0]))) {
  const sides = { dso: { f: dso, pid: child.pid!, lat: [] as number[], at: [] as number[], s: 0, c: 0 }, echo: { f: echo, pid: floorPid, lat: [] as number[], at: [] as number[], s: 0, c: 0 } };
  for (let i = 0; i < Number(process.env.WARM ?? 2000); i++) { await dso(); await echo(); }
  const perfs = process.env.PERF ? [['node', child.pid!], ['echo', floorPid], ['client', process.pid]].map(([k, pid]) => spawn('perf', ['record', '-F', '4999', '-e', 'cpu-clock', '-o', `${process.env.PERF}-${name}-${k}.data`, '-p', String(pid)], { stdio: 'ignore' })) : [];
  if (perfs.length) await new Promise((r) => setTimeout(r, 1500));
  for (let done = 0; done < N; done += B) {
    for (const side of Object.values(sides)) {
      const s0 = cpu(side.pid), c0 = cpu(process.pid);
      for (let i = 0; i < B; i++) { const t = performance.now(); await side.f(); side.lat.push((performance.now() - t) * 1e3); side.at.push(t); }
      side.s += cpu(side.pid) - s0; side.c += cpu(process.pid) - c0;
    }
  }
  for (const p of perfs) { p.kill('SIGINT'); await new Promise((r) => p.once('exit', r)); }
  const d = sides.dso, e = sides.echo;
  // DUMP=/tmp/x: every call's start (ms) and round trip (µs), per side, to study the tail's structure.
  if (process.env.DUMP) writeFileSync(`${process.env.DUMP}-${name}.json`, JSON.stringify({ dso: [d.at, d.lat], echo: [e.at, e.lat] }));
  const line = (k: string, x: typeof d) => `${k} p50 ${pct(x.lat, 50).toFixed(1)} p99 ${pct(x.lat, 99).toFixed(1)} server CPU ${(x.s / N).toFixed(1)} client CPU ${(x.c / N).toFixed(1)}`;
  console.log(`${name}: ${line('dso', d)} | ${line('echo', e)} | Δp50 ${(pct(d.lat, 50) - pct(e.lat, 50)).toFixed(1)} Δserver ${((d.s - e.s) / N).toFixed(1)} Δclient ${((d.c - e.c) / N).toFixed(1)} ratio ${(pct(d.lat, 50) / pct(e.lat, 50)).toFixed(2)}`);
}
process.exit(0);
