/**
 * What authentication costs a DSO link: round trips of a small call (AtomicLong.addAndGet) and of
 * a 1 MiB array, one client, crucial's ZMTP on both ends, with the node demanding nothing (NULL),
 * a token (PLAIN: checked once, at the handshake) or CURVE (every frame boxed). Also the handshake
 * itself (connect to first reply). `npx tsx bench/transport-security.ts [--calls N]`; CI=true: small.
 */
import { performance } from 'node:perf_hooks';
import { startDso, type DsoOptions } from '../dso/node.ts';
import { Connection } from '../core/client/connection.ts';
import { curveKeyPair } from '../core/protocol/transport/zmtp/curve.ts';

const ci = process.env.CI === 'true';
const argCalls = process.argv.indexOf('--calls');
const CALLS = argCalls > 0 ? Number(process.argv[argCalls + 1]) : ci ? 500 : 20_000;
const BIG = ci ? 5 : 100;

const modes: [string, DsoOptions][] = [
  ['NULL (insecure)', { insecure: true }],
  ['PLAIN (token)', {}],
  ['CURVE', { curve: { secretKey: curveKeyPair().secretKey } }],
];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

console.log(`transport security: ${CALLS} sequential small calls, ${BIG} 1 MiB round trips per mode (machine shared, figures indicative)`);
for (const [name, opts] of modes) {
  const node = await startDso({ port: 0, ...opts });
  const t0 = performance.now();
  const conn = new Connection(node.address, opts.insecure ? { security: null } : {});
  await conn.call('AtomicLong', 'k', 'addAndGet', [1]);
  const handshake = performance.now() - t0;
  const lat: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const s = performance.now();
    await conn.call('AtomicLong', 'k', 'addAndGet', [1]);
    lat.push(performance.now() - s);
  }
  const big = new Float64Array(1 << 17);
  const s = performance.now();
  for (let i = 0; i < BIG; i++) await conn.call('AtomicReference', 'r', 'set', [big]);
  const bigMs = (performance.now() - s) / BIG;
  console.log(`${name.padEnd(16)} connect+first call ${handshake.toFixed(1)} ms; small call p50 ${(pct(lat, 50) * 1000).toFixed(0)} us, p99 ${(pct(lat, 99) * 1000).toFixed(0)} us; 1 MiB set ${bigMs.toFixed(2)} ms`);
  await conn.close();
  await node.close();
}
process.exit(0);
