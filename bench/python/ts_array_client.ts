/**
 * The TypeScript client's side of bench/python/array_threads.py: gets (or sets) one AtomicReference's
 * 8 MB Float64Array at a node a Python process started, when told to on stdin, so that process can read
 * the node's threads around exactly these calls. Not run alone.
 *
 *   CRUCIAL_DSO=tcp://... CRUCIAL_TOKEN=... npx tsx bench/python/ts_array_client.ts <key> <calls>
 *   (stdin: one line "get", "set" or "set-get" (a set, then the get timed) per batch; stdout: "ready", then per batch "ms <p50> <min>")
 */
import { createInterface } from 'node:readline';
import { AtomicReference, connect } from 'crucial';

const [key, callsArg] = process.argv.slice(2);
const calls = Number(callsArg);
const conn = connect(process.env.CRUCIAL_DSO!);
const ref = new AtomicReference<Float64Array>(key!, undefined, { connection: conn });
const arr = (await ref.get())!;
for (let i = 0; i < 5; i++) await ref.get();
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'get' && line !== 'set' && line !== 'set-get') break;
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    if (line === 'set-get') await ref.set(arr);
    const t = process.hrtime.bigint();
    if (line === 'set') await ref.set(arr); else await ref.get();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  console.log(`ms ${sorted[sorted.length >> 1]} ${sorted[0]}`);
}
await conn.close();
process.exit(0);
