// The bare piscina baseline: a pool of one worker per core running a one-line module.
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
const warmRuns = Number(process.argv[2] ?? 5);
const threads = availableParallelism();
const pool = new Piscina({ filename: new URL('./piscina-worker.mjs', import.meta.url).href, minThreads: threads, maxThreads: threads });
if ((await pool.run(21)) !== 42) throw new Error('bad result');
const first = Date.now();
const cpu = (({ user, system }) => (user + system) / 1000)(process.cpuUsage());
const warm = [];
for (let i = 0; i < warmRuns; i++) {
  const t0 = performance.now();
  await pool.run(21);
  warm.push(performance.now() - t0);
}
console.log(JSON.stringify({ first, warm, cpu }));
await pool.close();
