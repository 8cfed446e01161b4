/**
 * The full linearizability run (issue 14): random concurrent histories against one DSO node, every
 * mutating built-in type, resent calls, each history checked by Porcupine (the Go checker in
 * test/linearizability/checker). The mocha test runs 50 histories; this runs 1,000 by default.
 * Exits 1 and names the seed and the visualization of any failing history.
 *
 *   npx tsx bench/linearizability.ts [--histories 1000] [--seed N] [--clients 3] [--workers 2] [--ops 30] [--types 4] [--resend-rate 0.15] [--dir DIR] [--transport zmtp|libzmq]
 */
import { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDso } from '../dso/node.ts';
import { buildChecker } from '../test/linearizability/checker.ts';
import { baseSeed, describeFailure, runCampaign, type CampaignResult } from '../test/linearizability/campaign.ts';
import { TYPES } from '../test/linearizability/workload.ts';

// cli-progress ships no types (and @types/cli-progress is not installed): the part used here.
interface Bar { start(total: number, value: number, payload?: object): void; update(value: number, payload?: object): void; stop(): void }
const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as {
  SingleBar: new (options: object, preset: object) => Bar;
  Presets: { shades_classic: object };
};

const int = (v: string) => Number.parseInt(v, 10);
const opts = new Command('linearizability')
  .description('random concurrent histories (every mutating built-in type, resent calls) on one in-process DSO node, checked by Porcupine')
  .option('-n, --histories <n>', 'histories to record and check', int, 1000)
  .option('--seed <n>', 'base seed (history i runs seed+i); default CRUCIAL_LIN_SEED or random', int)
  .option('--clients <n>', 'connections per history', int, 3)
  .option('--workers <n>', 'sequential workers per connection (porcupine clients)', int, 2)
  .option('--ops <n>', 'calls per worker', int, 30)
  .option('--types <n>', 'object types per history (one or two objects each)', int, 4)
  .option('--resend-rate <p>', 'share of calls resent with the same (client, seq)', Number.parseFloat, 0.15)
  .option('--dir <path>', 'where histories and visualizations go (kept on failure)')
  .option('--transport <kind>', 'zmtp or libzmq, for the node and the clients')
  .parse()
  .opts<{ histories: number; seed?: number; clients: number; workers: number; ops: number; types: number; resendRate: number; dir?: string; transport?: 'zmtp' | 'libzmq' }>();

for (const k of ['histories', 'clients', 'workers', 'ops', 'types'] as const) {
  if (!Number.isInteger(opts[k]) || opts[k] <= 0) throw new Error(`--${k} must be a positive integer`);
}
if (!(opts.resendRate >= 0 && opts.resendRate <= 1)) throw new Error('--resend-rate must be in 0..1');
if (opts.transport) process.env.CRUCIAL_TRANSPORT = opts.transport; // the driver's sockets follow it

const seed = opts.seed ?? baseSeed();
const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'crucial-lin-'));
console.log(`base seed ${seed} (replay with --seed ${seed} or CRUCIAL_LIN_SEED=${seed}); histories in ${dir}`);

const t0 = performance.now();
const checker = await buildChecker();
const buildMs = performance.now() - t0;
const node = await startDso({ host: '127.0.0.1', port: 0, transport: opts.transport });
const bar = new SingleBar({ format: 'histories {bar} {value}/{total} recorded, {checked} checked, {failed} failed | {duration_formatted}' }, Presets.shades_classic);
bar.start(opts.histories, 0, { checked: 0, failed: 0 });
let res: CampaignResult;
try {
  res = await runCampaign({
    address: node.address, dir, histories: opts.histories, baseSeed: seed, checker,
    clients: opts.clients, workersPerClient: opts.workers, opsPerWorker: opts.ops, types: opts.types, resendRate: opts.resendRate,
    onProgress: (recorded, checked, failed) => bar.update(recorded, { checked, failed }),
  });
} finally {
  bar.stop();
  await node.close();
}
const totalMs = performance.now() - t0;

const ops = res.histories.reduce((s, h) => s + h.ops, 0);
const resends = res.histories.reduce((s, h) => s + h.resends, 0);
const byType: Record<string, number> = Object.fromEntries(TYPES.map((t) => [t, 0]));
for (const h of res.histories) for (const [t, n] of Object.entries(h.byType)) byType[t]! += n;
const mismatches = res.histories.flatMap((h) => h.resendMismatches.map((m) => `seed ${h.seed}: ${m}`));
const checkMs = res.reports.reduce((s, r) => s + r.ms, 0);

console.log(`\n${res.reports.length} histories checked, ${res.failures.length} not linearizable; ${ops} calls (${resends} resent, ${mismatches.length} resends answered differently)`);
console.log(`calls per type: ${Object.entries(byType).map(([t, n]) => `${t} ${n}`).join(', ')}`);
console.log(`time: ${(totalMs / 1000).toFixed(1)} s total (checker build ${(buildMs / 1000).toFixed(1)} s, recording ${(res.recordMs / 1000).toFixed(1)} s, `
  + `checker runs ${(res.checkMs / 1000).toFixed(1)} s of which Porcupine ${(checkMs / 1000).toFixed(2)} s)`);
const bad = [...res.failures.map(describeFailure), ...mismatches, ...res.checkerErrors];
if (bad.length > 0) {
  console.error(`\nFAILED (base seed ${seed}):\n${bad.join('\n')}`);
  process.exitCode = 1;
} else if (!opts.dir) {
  rmSync(dir, { recursive: true, force: true });
}
