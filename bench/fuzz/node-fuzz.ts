/**
 * End-to-end fuzzing of a live node process over either transport (bench/fuzz/engine.ts says what
 * is sent and counted). Prints one JSON report per transport; exits 1 on a crash or a hang.
 *
 *   npx tsx bench/fuzz/node-fuzz.ts --inputs 1000000 --transport zmtp --seed 1
 *   npx tsx bench/fuzz/node-fuzz.ts --inputs 100000 --transport both
 */
import { parseArgs } from 'node:util';
import { fuzzNode, type FuzzReport } from './engine.ts';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '100000' },
    transport: { type: 'string', default: 'zmtp' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    batch: { type: 'string', default: '2000' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: npx tsx bench/fuzz/node-fuzz.ts [--inputs N] [--transport zmtp|libzmq|both] [--seed S] [--batch B] [--quiet]');
  process.exit(0);
}
const transports = values.transport === 'both' ? ['zmtp', 'libzmq'] as const : [values.transport as 'zmtp' | 'libzmq'];
const reports: FuzzReport[] = [];
for (const transport of transports) {
  const r = await fuzzNode({
    inputs: Number(values.inputs), transport, seed: Number(values.seed), batch: Number(values.batch),
    log: values.quiet ? undefined : (l) => console.error(l),
  });
  reports.push(r);
  console.log(JSON.stringify(r));
}
process.exit(reports.some((r) => r.crashes > 0 || r.hangs > 0) ? 1 : 0);
