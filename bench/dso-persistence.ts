/**
 * Per-call cost of persistence on a DSO node (issue 4 §2): the same calls on ephemeral objects, on
 * persistent objects kept by their type's strategy (in place / per entry / one 8-byte cell), and on
 * persistent objects kept as whole snapshots rewritten after every call (the format before the
 * strategies). Node and client run in this process; the region is a file flushed with msync.
 *
 *   npx tsx bench/dso-persistence.ts [--quick] [--calls N] [--map-size N] [--rows N] [--cols N] [--dir DIR] [--flush msync|none]
 */
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from 'crucial';
import { startDso, type DsoNode } from 'crucial/node';
import { PersistentStore } from '../dso/persistence/store.ts';
import { latency, type Latency } from './lib/measure.ts';

const opts = new Command('dso-persistence')
  .description('per-call latency of AtomicMap.put, AtomicMatrix.setRow and AtomicLong.incrementAndGet: ephemeral vs persistent (per-type strategy) vs persistent (whole snapshot), in-process node and client')
  .option('-q, --quick', 'short run (a smoke test)', false)
  .option('--calls <n>', 'timed calls per measurement', (v) => Number.parseInt(v, 10), 3000)
  .option('--map-size <n>', 'entries in the map before the timed puts', (v) => Number.parseInt(v, 10), 1000)
  .option('--rows <n>', 'matrix rows', (v) => Number.parseInt(v, 10), 1000)
  .option('--cols <n>', 'matrix columns (the row written by each setRow)', (v) => Number.parseInt(v, 10), 64)
  .option('--dir <path>', 'directory for the region files (a DAX mount where there is pmem)', tmpdir())
  .option('--flush <mode>', 'msync: durable on media before each reply; none: page cache only (survives kill -9, not power loss; shows the CPU cost alone)', 'msync')
  .parse()
  .opts<{ quick: boolean; calls: number; mapSize: number; rows: number; cols: number; dir: string; flush: string }>();

if (opts.flush !== 'msync' && opts.flush !== 'none') throw new Error('--flush must be "msync" or "none"');
const FLUSH = opts.flush;

for (const k of ['calls', 'mapSize', 'rows', 'cols'] as const) {
  if (!Number.isInteger(opts[k]) || opts[k] <= 0) throw new Error(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
}
const CALLS = opts.quick ? 300 : opts.calls;

type Mode = 'ephemeral' | 'in place' | 'whole snapshot';
const MODES: Mode[] = ['ephemeral', 'in place', 'whole snapshot'];

interface Case {
  name: string;
  setup(c: Connection, persistent: boolean): Promise<void>;
  op(c: Connection, i: number): Promise<unknown>;
}

// Every write carries a new value: the snapshot mode skips a write whose blob did not change.
const value = (i: number) => `v${String(i).padStart(47, '0')}`;
const row = new Float64Array(opts.cols);
const CASES: Case[] = [
  {
    name: `AtomicMap.put (map of ${opts.mapSize} entries)`,
    setup: async (c, persistent) => {
      const init = Array.from({ length: opts.mapSize }, (_, i) => [`k${i}`, value(-i)]);
      await c.call('AtomicMap', 'map', 'size', [], { persistent, init: [init] });
    },
    op: (c, i) => c.call('AtomicMap', 'map', 'put', [`k${(i * 7919) % opts.mapSize}`, value(i)]),
  },
  {
    name: `AtomicMatrix.setRow (${opts.rows}x${opts.cols})`,
    setup: async (c, persistent) => { await c.call('AtomicMatrix', 'mx', 'shape', [], { persistent, init: [opts.rows, opts.cols] }); },
    op: (c, i) => c.call('AtomicMatrix', 'mx', 'setRow', [i % opts.rows, row.fill(i)]),
  },
  {
    name: 'AtomicLong.incrementAndGet',
    setup: async (c, persistent) => { await c.call('AtomicLong', 'n', 'get', [], { persistent, init: [0] }); },
    op: (c) => c.call('AtomicLong', 'n', 'incrementAndGet', []),
  },
  {
    name: `AtomicMatrix.getRow (read, ${opts.rows}x${opts.cols})`,
    setup: async () => undefined,
    op: (c, i) => c.call('AtomicMatrix', 'mx', 'getRow', [i % opts.rows]),
  },
];

/** A node; for the persistent modes its object store gets a region opened here (the node's own option has no flush mode). */
async function startNode(mode: Mode, dir: string): Promise<{ node: DsoNode; extra?: PersistentStore }> {
  const node = await startDso({ port: 0 });
  if (mode === 'ephemeral') return { node };
  const whole = mode === 'whole snapshot';
  const extra = await PersistentStore.open(join(dir, whole ? 'snapshot.pmem' : 'in-place.pmem'), { sizeBytes: 512 << 20, flush: FLUSH, wholeSnapshots: whole });
  node.store.persistence = extra;
  return { node, extra };
}

const dir = mkdtempSync(join(opts.dir, 'crucial-bench-pmem-'));
const results = new Map<string, Map<Mode, Latency>>();
try {
  for (const mode of MODES) {
    const { node, extra } = await startNode(mode, dir);
    const c = connect(node.address);
    try {
      for (const k of CASES) {
        await k.setup(c, mode !== 'ephemeral');
        let i = 0;
        const lat = await latency(() => k.op(c, i++), CALLS, Math.min(200, CALLS));
        if (!results.has(k.name)) results.set(k.name, new Map());
        results.get(k.name)!.set(mode, lat);
        process.stderr.write(`${mode.padEnd(15)} ${k.name.padEnd(44)} p50 ${lat.p50.toFixed(1)} us  p99 ${lat.p99.toFixed(1)} us\n`);
      }
    } finally {
      await c.close();
      await node.close();
      extra?.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const f = (x: number) => x.toFixed(0);
console.log(`\n${CALLS} sequential calls per cell after 200 warm-up calls, one client, latency in µs (p50 / p99); ${cpus().length} CPUs, Node ${process.version}, region on ${opts.dir}, flush: ${FLUSH}.\n`);
console.log('| call | ephemeral | persistent, per-type strategy | persistent, whole snapshot | strategy vs snapshot (p50) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, m] of results) {
  const e = m.get('ephemeral')!, p = m.get('in place')!, s = m.get('whole snapshot')!;
  console.log(`| ${name} | ${f(e.p50)} / ${f(e.p99)} | ${f(p.p50)} / ${f(p.p99)} | ${f(s.p50)} / ${f(s.p99)} | ${(s.p50 / p.p50).toFixed(1)}x faster |`);
}
