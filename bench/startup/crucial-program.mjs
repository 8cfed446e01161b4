// One program of the start-up bench, run as a fresh process: CRUCIAL_URL names the crucial entry
// (the checkout's TypeScript sources under tsx, or the compiled package under plain node), argv[2]
// says what the first result is ('thread': a CloudThread of a @Serializable task that adds to an
// AtomicLong; 'submit': an executor's submit of a function). Prints one JSON line: the epoch time
// of the first result (the parent knows when it spawned us) and the warm round trips after it.
const { AtomicLong, CloudThread, ServerlessExecutorService, shutdown } = await import(process.env.CRUCIAL_URL);
const { AddTask } = await import('./crucial-task.mjs');
const mode = process.argv[2];
const warmRuns = Number(process.argv[3] ?? 5);
const counter = new AtomicLong('startup', 0);
const se = mode === 'submit' ? new ServerlessExecutorService() : null;
const once = async () => {
  if (mode === 'thread') {
    const t = new CloudThread(new AddTask(counter));
    t.start();
    await t.join();
  } else {
    const r = await se.submit(() => 21 * 2);
    if (r !== 42) throw new Error(`bad result ${r}`);
  }
};
if (mode === 'together') {
  // Tasks submitted together in a new pool: when does each start, after the earliest one?
  const n = (await import('node:os')).availableParallelism();
  const starts = await new ServerlessExecutorService().invokeAll(Array.from({ length: n }, () => () => {
    const t = Date.now();
    while (Date.now() - t < 50);
    return t;
  }));
  const min = Math.min(...starts);
  console.log(JSON.stringify({ first: Date.now(), warm: [], starts: starts.map((t) => t - min) }));
  await shutdown();
  process.exit(0);
}
await once();
const first = Date.now();
// CPU of every thread of the process until then (ms): less moved by other jobs on the machine than the wall time.
const cpu = (({ user, system }) => (user + system) / 1000)(process.cpuUsage());
const warm = [];
for (let i = 0; i < warmRuns; i++) {
  const t0 = performance.now();
  await once();
  warm.push(performance.now() - t0);
}
console.log(JSON.stringify({ first, warm, cpu }));
await shutdown();
