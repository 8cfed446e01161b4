// Where a cold CloudThread's time goes, in one fresh process: ms since process start at which crucial
// is imported, the pool is built (piscina loaded, workers spawned), the embedded node is up (it exports
// CRUCIAL_DSO), each worker has loaded its modules, and the first result arrives. A probe: it reads
// LocalPool's private piscina field to hear the workers' "loaded" messages. Run from the checkout root:
//   CRUCIAL_URL=file://$PWD/dist/core/index.js node bench/startup/timeline.mjs
const mark = { start: Math.round(performance.now()) };
const m0 = (k) => { mark[k] ??= Math.round(performance.now()); };
const m = await import(process.env.CRUCIAL_URL); m0('imported');
const { AddTask } = await import('./crucial-task.mjs');
const counter = new m.AtomicLong('startup', 0);
m.defaultTaskRunner().then((r) => { m0('poolBuilt'); let n = 0; r.pool?.on('message', () => { m0(`workerLoaded${++n}`); }); });
const iv = setInterval(() => { if (process.env.CRUCIAL_DSO) m0('nodeUp'); }, 1);
const t = new m.CloudThread(new AddTask(counter));
t.start();
await t.join(); m0('first');
clearInterval(iv);
console.log(JSON.stringify(mark));
await m.shutdown();
