/**
 * DSO nodes as child processes on pmem files, for tests that kill -9 them: `withNodeProcesses()`
 * registers mocha hooks that make a scratch directory before the suite and, after it, kill every
 * node a test started (restarts included) and remove the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill9, startNodeProcess, type NodeProcess } from '../../bench/lib/dso-process.ts';

export interface NodeProcesses {
  /** A pmem file path in the suite's scratch directory. */
  pmem(name: string): string;
  /** Starts a node on `pmem` (on `port`, for a restart at the same address); killed after the suite. */
  start(pmem: string, port?: number): Promise<NodeProcess>;
}

/** Call at the top of a `describe`; `prefix` names its scratch directory. */
export function withNodeProcesses(prefix: string): NodeProcesses {
  let dir = '';
  const nodes: NodeProcess[] = [];
  before(() => { dir = mkdtempSync(join(tmpdir(), `crucial-${prefix}-`)); });
  after(async () => {
    for (const n of nodes.splice(0)) await kill9(n);
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    pmem: (name) => join(dir, `${name}.pmem`),
    async start(pmem, port) {
      const node = await startNodeProcess(pmem, port);
      nodes.push(node);
      return node;
    },
  };
}
