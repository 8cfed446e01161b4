/**
 * `crucial/node`: what hosts the shared objects and runs the tasks — a DSO node in this process and
 * the local worker pool. Kept out of `crucial` so a client (and every worker) loads neither the node,
 * its pmem persistence, piscina nor esbuild; the SDK imports them lazily when it needs the embedded
 * default.
 */
export { startDso, DsoNode } from './node.ts';
export { LocalPool } from '../workers/local/pool.ts';

export type { DsoOptions } from './node.ts';
export type { LocalPoolOptions } from '../workers/local/pool.ts';
