/**
 * The full crash campaign: `npx tsx bench/pmem/crash.ts --kills 500`. Each round starts the bank
 * child, SIGKILLs it at a random moment and checks the recovered heap (see test/pmem/fixtures).
 */
import { Command, Option } from "commander";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashSeed, SEED_ENV } from "../../pmem/testing/crash-images.ts";
import { runCrashCampaign } from "../../test/pmem/fixtures/crash-driver.ts";

const opts = new Command()
  .name("crash")
  .description("SIGKILL a child running failure-atomic bank transfers, recover, check invariants; repeat")
  .option("--kills <n>", "number of SIGKILLs", (v) => parseInt(v, 10), 500)
  .addOption(new Option("--flush <mode>", "heap flush mode of the child").choices(["msync", "none"]).default("msync"))
  .option("--max-run-ms <n>", "longest random run between ready and kill", (v) => parseInt(v, 10), 300)
  .option("--seed <n>", `seed of kill times and transfers; default ${SEED_ENV} or random`, (v) => parseInt(v, 10))
  .option("--quiet", "no per-kill line")
  .parse()
  .opts<{ kills: number; flush: "msync" | "none"; maxRunMs: number; seed?: number; quiet?: boolean }>();
const seed = opts.seed ?? crashSeed();
console.log(`seed ${seed} (replay with --seed ${seed} or ${SEED_ENV}=${seed}; kill timing also depends on the machine)`);

const dir = mkdtempSync(join(tmpdir(), "crucial-crash-"));
const t0 = Date.now();
try {
  const s = await runCrashCampaign({
    path: join(dir, "bank.pmem"),
    kills: opts.kills,
    flush: opts.flush,
    maxRunMs: opts.maxRunMs,
    seed,
    onKill: opts.quiet ? undefined : (k, r) => {
      console.log(`kill ${k + 1}/${opts.kills}: acked ${r.acked}, recovered ${r.recovered}${r.killedBeforeReady ? " (killed during open/recovery)" : ""}${r.replayedLog ? " (redo log replayed)" : ""}`);
    },
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`kills: ${s.kills}, transfers committed: ${s.transfers}, redo logs replayed: ${s.replayedLogs}, killed during recovery: ${s.killedDuringRecovery}, invariant failures: ${s.failures.length}, seed ${seed}, ${secs} s`);
  for (const f of s.failures) console.log(`FAIL ${f}`);
  process.exitCode = s.failures.length === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
