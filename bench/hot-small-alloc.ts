/**
 * Heap bytes allocated per round trip, client and node in one process over real sockets (issue 13,
 * hot-small): the DSO call beside the bare ZMTP echo (crucial's own ROUTER/DEALER, no codec), as the
 * growth of V8's new space over runs of 100 calls (median of 40). With PROF=put|get|addAndGet, a
 * sampling heap profile of that row instead (bytes per call by allocating function; OLD=1: only
 * what survived a scavenge; ECHO=1: the echo's).
 *
 *   npx tsx bench/hot-small-alloc.ts           env: TREE (another checkout), PROF, OLD, ECHO, PN (profiled calls, 20000)
 */
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
const MAIN = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
const TREE = process.env.TREE ?? MAIN;
const { startDso } = await import(`${TREE}/dso/node.ts`);
const core = await import(`${TREE}/core/index.ts`);
const { ZmtpRouter } = await import(`${TREE}/core/protocol/transport/zmtp/router.ts`);
const { zmtpEcho } = await import(`${MAIN}/bench/lib/floor.ts`);
const node = await startDso({ host: '127.0.0.1', port: 0 });
const conn = core.connect(node.address);
const answers = new Map<number, Buffer>();
const router = new ZmtpRouter((route: Uint8Array, frames: Buffer[]) => { const n = frames[0]!.readUInt32BE(0); let b = answers.get(n); if (!b) answers.set(n, b = Buffer.alloc(n, 7)); router.send(route, [b]); });
await router.bind('tcp://127.0.0.1:0');
const z = await zmtpEcho(router.endpoint);
const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
const ref = new core.AtomicReference('al.1kb', kb, { connection: conn });
const al = new core.AtomicLong('al.c', 0, { connection: conn });
await ref.set(kb); await al.get();
const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
async function perCall(f: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3000; i++) await f();
  const xs: number[] = [];
  for (let r = 0; r < 40; r++) {
    const a = used();
    for (let i = 0; i < 100; i++) await f();
    const d = used() - a;
    if (d > 0) xs.push(d / 100);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}
const rows: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
  ['put', () => ref.set(kb), () => z.echo(1077, 9)],
  ['get', () => ref.get(), () => z.echo(50, 1035)],
  ['addAndGet', () => al.addAndGet(3), () => z.echo(56, 18)],
];
if (process.env.PROF) {
  const { Session } = await import('node:inspector/promises');
  const ss = new Session(); ss.connect();
  const [name, d, e] = rows.find((r) => r[0] === process.env.PROF)!;
  const f = process.env.ECHO ? e : d;
  for (let i = 0; i < 3000; i++) await f();
  await ss.post('HeapProfiler.startSampling', { samplingInterval: 32, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !process.env.OLD } as any);
  const N = Number(process.env.PN ?? 20000);
  for (let i = 0; i < N; i++) await f();
  const { profile } = await ss.post('HeapProfiler.stopSampling') as any;
  const by = new Map<string, number>();
  const walk = (n: any, stack: string[]) => {
    const fr = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(`file://${MAIN}/`, '').replace(/.*node_modules\//, '').replace('file:///', '')}:${n.callFrame.lineNumber + 1}`;
    const self = n.selfSize;
    if (self) by.set(fr, (by.get(fr) ?? 0) + self);
    for (const c of n.children) walk(c, [...stack, fr]);
  };
  walk(profile.head, []);
  const tot = [...by.values()].reduce((a, b) => a + b, 0);
  console.log(`total ${(tot / N).toFixed(0)} B/call`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${(v / N).toFixed(0).padStart(6)} ${k}`);
  process.exit(0);
}
for (const [name, d, e] of rows) console.log(`${name}: DSO ${(await perCall(d)).toFixed(0)} B/call, echo ${(await perCall(e)).toFixed(0)} B/call (both sides)`);
process.exit(0);
