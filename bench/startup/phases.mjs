// Start-up phases in one fresh process, wall and CPU (all threads, ms): `import 'crucial'`, the embedded
// node's start (the first dsoAddress()), the pool's start (the first submit: piscina loaded, workers
// booted and loaded, one task run). CRUCIAL_URL names the entry, e.g. a built checkout's dist/core/index.js:
//   for i in 1 2 3 4 5; do CRUCIAL_URL=file://$PWD/dist/core/index.js node bench/startup/phases.mjs; done
const cpu = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };
const w0 = performance.now(), c0 = cpu();
const m = await import(process.env.CRUCIAL_URL);
const w1 = performance.now(), c1 = cpu();
await m.dsoAddress();
const w2 = performance.now(), c2 = cpu();
const se = new m.ServerlessExecutorService();
if ((await se.submit(() => 21 * 2)) !== 42) throw new Error('bad result');
const w3 = performance.now(), c3 = cpu();
const r = (x) => Math.round(x);
console.log(JSON.stringify({ sinceBoot: r(w0), importWall: r(w1 - w0), importCpu: r(c1 - c0), nodeWall: r(w2 - w1), nodeCpu: r(c2 - c1), poolWall: r(w3 - w2), poolCpu: r(c3 - c2) }));
await m.shutdown();
