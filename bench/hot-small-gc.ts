/**
 * A long run of one small call against one node, with the node's GC traced (issue 13, hot-small
 * morning session): the node of this checkout, or of another one (`--base DIR`, alternating runs),
 * in a child process with `--trace-gc`; this process makes N calls one after the other and prints
 * the round trip's p50 / p99 / p99.9 / max, the calls over 1 ms, and the node's scavenges and
 * mark-compacts (count, pause ms, longest). The node's old generation fills only after tens of
 * thousands of calls of one client, so this runs longer than the product bench's rows.
 *
 *   npx tsx bench/hot-small-gc.ts [--base DIR] [--n 150000] [--op get|put|addAndGet] [--runs 2] [--placement same|split]
 */
import { Command, Option } from 'commander';
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinProcess } from './lib/servers.ts';
import { PLAIN_USERNAME, registerCredentials } from '../core/protocol/transport/credentials.ts';

const opts = new Command('hot-small-gc').option('--base <dir>', 'another checkout whose client and node alternate with this one\'s')
  .option('--n <n>', 'calls per run', '150000').addOption(new Option('--op <op>').choices(['get', 'put', 'addAndGet']).default('get'))
  .option('--runs <n>', 'runs per tree (alternating)', '2').addOption(new Option('-p, --placement <how>').choices(['same', 'split']).default('same'))
  .parse().opts<{ base?: string; n: string; op: string; runs: string; placement: string }>();
const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
const N = Number(opts.n);
pinProcess(process.pid, '0');

interface GcStats { count: number; ms: number; longest: number }
async function run(tree: string): Promise<string> {
  const child = spawn(process.execPath, ['--trace-gc', '--import', 'tsx', `${HERE}/bench/lib/ab-child.ts`], { cwd: HERE, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, AB_TREE: tree } });
  const gc: Record<'Scavenge' | 'Mark-Compact', GcStats> = { Scavenge: { count: 0, ms: 0, longest: 0 }, 'Mark-Compact': { count: 0, ms: 0, longest: 0 } };
  let timing = false;
  let counting = false; // GC of the timed calls only, not of start-up and warm-up
  let out = '';
  const [address, token] = await new Promise<[string, string]>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /READY (\S+) (\S*)\n/.exec(out);
      if (m && !timing) { timing = true; out = out.slice(m.index + m[0].length); res([m[1]!, m[2]!]); }
      // --trace-gc lines: "... ms: Scavenge 12.3 (17.0) -> 10.3 (17.7) MB, 1.52 / 0.01 ms ..."
      let nl;
      while (timing && (nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const g = /(Scavenge|Mark-Compact) .*? MB, ([\d.]+) \//.exec(line);
        if (g && counting) { const s = gc[g[1] as 'Scavenge']; s.count++; s.ms += Number(g[2]); s.longest = Math.max(s.longest, Number(g[2])); }
      }
    });
    child.once('exit', (c) => rej(new Error(`node of ${tree} exited with ${c}`)));
  });
  pinProcess(child.pid!, opts.placement === 'same' ? '0' : '1');
  if (token) registerCredentials(address, { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: token });
  const core = (await import(`${tree}/core/index.ts`)) as typeof import('../core/index.ts');
  const conn = core.connect(address);
  const kb = new Uint8Array(1024).map((_, i) => i & 0xff);
  const ref = new core.AtomicReference<Uint8Array>('gc.1kb', kb, { connection: conn });
  const al = new core.AtomicLong('gc.c', 0, { connection: conn });
  await ref.set(kb);
  const f = opts.op === 'get' ? () => ref.get() : opts.op === 'put' ? () => ref.set(kb) : () => al.addAndGet(3);
  for (let i = 0; i < 2000; i++) await f();
  counting = true;
  const lat = new Float64Array(N);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) { const a = performance.now(); await f(); lat[i] = performance.now() - a; }
  const wall = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 100));
  await conn.close();
  child.kill('SIGKILL');
  lat.sort();
  const q = (x: number) => (lat[Math.min(N - 1, Math.floor(x * N))]! * 1000).toFixed(1);
  const over = lat.length - lat.findIndex((v) => v > 1);
  const g = (s: GcStats) => `${s.count} (${s.ms.toFixed(1)} ms, longest ${s.longest.toFixed(1)})`;
  return `| ${tree === HERE ? 'this tree' : tree} | ${(wall / 1000).toFixed(1)} s | ${q(0.5)} | ${q(0.99)} | ${q(0.999)} | ${(lat[N - 1]! * 1000).toFixed(0)} | ${lat[N - 1]! > 1 ? over : 0} | ${g(gc.Scavenge)} | ${g(gc['Mark-Compact'])} |`;
}

console.log(`${N} ${opts.op} calls per run, placement ${opts.placement}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| node and client | run time | p50 µs | p99 µs | p99.9 µs | max µs | calls > 1 ms | node scavenges (pauses) | node mark-compacts (pauses) |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (let r = 0; r < Number(opts.runs); r++) {
  // The order swaps every run: the second tree's run follows the first one's GC and JIT state in this process.
  const trees = opts.base ? (r % 2 === 0 ? [resolve(opts.base), HERE] : [HERE, resolve(opts.base)]) : [HERE];
  for (const tree of trees) console.log(await run(tree));
}
console.log(`load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
process.exit(0);
