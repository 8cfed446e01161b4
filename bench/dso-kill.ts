/**
 * The DSO kill campaign (issue 9): kill -9 a node with `--pmem` under load across every built-in
 * mutable type and a persistent user class, restart it, resend every unanswered call with the same
 * (client, seq), and check that every acknowledged write is there and every counter is exact.
 *
 *   npx tsx bench/dso-kill.ts --kills 500 [--writers 4] [--seed N] [--dir DIR]
 *
 * Replay a run with its printed seed: `--seed N` or CRUCIAL_KILL_SEED=N. Exits 1 if anything was lost or applied twice.
 */
import { Command } from 'commander';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCampaign } from './lib/dso-kill-campaign.ts';

// cli-progress ships no types (and @types/cli-progress is not installed): the part used here.
interface Bar { start(total: number, value: number, payload?: object): void; update(value: number, payload?: object): void; stop(): void }
const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as {
  SingleBar: new (options: object, preset: object) => Bar;
  Presets: { shades_classic: object };
};

const int = (v: string) => Number.parseInt(v, 10);
const opts = new Command('dso-kill')
  .description('kill -9 a DSO node with --pmem under load (all built-in mutable types + a persistent @Shared class), restart, resend unanswered calls; count lost and duplicated writes')
  .option('-k, --kills <n>', 'kills (and restarts)', int, 500)
  .option('-w, --writers <n>', 'concurrent writers, each with its own client id and objects', int, 4)
  .option('--seed <n>', 'seed of operations and kill moments; default CRUCIAL_KILL_SEED or random', int)
  .option('--min-run <ms>', 'shortest run between kills (timed kills)', int, 20)
  .option('--max-run <ms>', 'longest run between kills (timed kills)', int, 250)
  .option('--verify-every <n>', 'check the whole state every n kills', int, 25)
  .option('--dir <path>', 'directory for the region file', tmpdir())
  .parse()
  .opts<{ kills: number; writers: number; seed?: number; minRun: number; maxRun: number; verifyEvery: number; dir: string }>();

for (const k of ['kills', 'writers', 'minRun', 'maxRun', 'verifyEvery'] as const) {
  if (!Number.isInteger(opts[k]) || opts[k] <= 0) throw new Error(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be a positive integer`);
}
const seed = opts.seed ?? (process.env.CRUCIAL_KILL_SEED ? int(process.env.CRUCIAL_KILL_SEED) : Math.floor(Math.random() * 2 ** 31));
console.log(`dso-kill: ${opts.kills} kills, ${opts.writers} writers, seed ${seed} (replay: CRUCIAL_KILL_SEED=${seed})`);

const dir = mkdtempSync(join(opts.dir, 'crucial-dso-kill-'));
const bar = new SingleBar({ format: 'kills {bar} {value}/{total} | acked {acked} | resent {resent} | lost {lost} | dup {dup} | {eta_formatted} left' }, Presets.shades_classic);
bar.start(opts.kills, 0, { acked: 0, resent: 0, lost: 0, dup: 0 });
const started = Date.now();
let code = 0;
try {
  const r = await runCampaign({
    pmem: join(dir, 'node.pmem'), kills: opts.kills, writers: opts.writers, seed, minRunMs: opts.minRun, maxRunMs: opts.maxRun, verifyEvery: opts.verifyEvery,
    onKill: (done, s) => {
      bar.update(done, { acked: s.acknowledged, resent: s.resent, lost: s.lost, dup: s.duplicates });
      // The bar draws only on a terminal: a log gets a line every 50 kills instead.
      if (!process.stderr.isTTY && done % 50 === 0) console.log(`${done}/${opts.kills} kills | acked ${s.acknowledged} | resent ${s.resent} | lost ${s.lost} | dup ${s.duplicates} | ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
  });
  bar.stop();
  const secs = (Date.now() - started) / 1000;
  console.log(`kills ${r.kills} | acknowledged writes ${r.acknowledged} | resent after a kill ${r.resent} | lost ${r.lost} | duplicates applied ${r.duplicates} | counter replies off ${r.badReplies} | error answers ${r.errors} | ${secs.toFixed(0)} s | seed ${seed}`);
  for (const p of r.problems) console.log(`  ${p}`);
  if (r.lost + r.duplicates + r.badReplies + r.errors > 0) code = 1;
} finally {
  bar.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
