// What piscina loads in each worker thread. piscina require()s its worker module before it tries
// import(); on Node >= 20.19 require() of an ES module runs (require(esm)), and on crucial's worker
// (an ES module with top-level await) it has aborted the whole process at start, now and then:
// "FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module". This CommonJS file
// leaves piscina nothing to require(esm): it imports the real worker module (workerData.entry) the
// ES way. Its `default` is a promise of the task function: piscina awaits it before it reports the
// worker ready, and must, since it then parks the thread in Atomics.wait, which would freeze a load
// still under way.
'use strict';
const { workerData } = require('node:worker_threads');

Object.defineProperty(exports, '__esModule', { value: true });
exports.default = import(workerData.entry).then(
  (mod) => mod.default,
  // A module that fails to load fails each task with its error instead of leaving no handler.
  (err) => async () => { throw err; },
);
