/**
 * Before/after of the TS empty-task round trip (issue 13): bench/hot-path-empty-task.ts in fresh
 * processes, alternating this checkout's crucial and another checkout's (`--src DIR`), each run also
 * measuring the two floors (worker_threads ping-pong, bare piscina); medians over rounds.
 *
 *   npx tsx bench/hot-path-empty-task-ab.ts --base DIR [--rounds 6] [--n 2000]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { Command } from 'commander';

const opts = new Command()
  .description("Before/after of the TS empty-task round trip: bench/hot-path-empty-task.ts in fresh processes, this checkout's and another's alternating")
  .requiredOption('--base <dir>', 'a checkout of the code before')
  .option('--rounds <n>', 'rounds per side', (v) => Number(v) || 6, 6)
  .option('--n <calls>', 'calls per row in each run', '2000')
  .parse()
  .opts<{ base: string; rounds: number; n: string }>();
const { base, rounds, n } = opts;
const script = fileURLToPath(new URL('./hot-path-empty-task.ts', import.meta.url));
type Row = { p50: number; p99: number; cpu: number };
type Run = { rows: Record<string, Row>; load: number };
const CRUCIAL = 'crucial submit + get';
const res: Record<'before' | 'after', Run[]> = { before: [], after: [] };
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
for (let r = 0; r < rounds; r++) {
  for (const side of (r % 2 === 0 ? ['before', 'after'] : ['after', 'before']) as Array<'before' | 'after'>) {
    const args = ['--import', 'tsx', script, '--json', '--n', n, ...(side === 'before' ? ['--src', base] : [])];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000 });
    const run = JSON.parse(out.split('\n').find((l) => l.startsWith('{'))!) as Run;
    res[side].push(run);
    const c = run.rows[CRUCIAL]!;
    const p = run.rows['piscina empty task']!;
    console.log(`round ${r + 1} ${side.padEnd(6)} p50 ${c.p50.toFixed(3)} ms  p99 ${c.p99.toFixed(3)}  CPU ${c.cpu.toFixed(3)} ms/call  piscina p50 ${p.p50.toFixed(3)}  ping-pong p50 ${run.rows['worker_threads ping-pong']!.p50.toFixed(3)}  crucial/piscina ${(c.p50 / p.p50).toFixed(2)}  load ${run.load.toFixed(1)}`);
  }
}
const med = (side: 'before' | 'after', k: keyof Row) => median(res[side].map((x) => x.rows[CRUCIAL]![k]));
const ratio = (side: 'before' | 'after') => median(res[side].map((x) => x.rows[CRUCIAL]!.p50 / x.rows['piscina empty task']!.p50));
for (const side of ['before', 'after'] as const) {
  console.log(`${side}: p50 ${med(side, 'p50').toFixed(3)} ms (rounds ${Math.min(...res[side].map((x) => x.rows[CRUCIAL]!.p50)).toFixed(3)}-${Math.max(...res[side].map((x) => x.rows[CRUCIAL]!.p50)).toFixed(3)}), p99 ${med(side, 'p99').toFixed(3)} ms, CPU ${med(side, 'cpu').toFixed(3)} ms/call, crucial/piscina p50 ${ratio(side).toFixed(2)} (medians of ${rounds})`);
}
console.log(`after/before: p50 ${(med('after', 'p50') / med('before', 'p50')).toFixed(2)}, p99 ${(med('after', 'p99') / med('before', 'p99')).toFixed(2)}, CPU ${(med('after', 'cpu') / med('before', 'cpu')).toFixed(2)}`);
