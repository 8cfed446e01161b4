/**
 * A `crucial dso start` process for the hardening tests: a fault that would end the process must
 * show as its exit, not take the test runner down with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RawClient, type Answer } from '../../bench/lib/dso-process.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));

/** A node process and what it printed. */
export interface HardenedNode {
  child: ChildProcess;
  address: string;
  /** Settles when the process exits, with how. */
  exited: Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `crucial dso start --port 0 ...extra` and waits for its ready line. */
export async function startNode(extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<HardenedNode> {
  const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`exited ${code ?? signal}`)));
  const address = await new Promise<string>((resolve, reject) => {
    const check = () => { const m = /ready at (tcp:\/\/\S+)/.exec(out); if (m) resolve(m[1]!); };
    child.stdout!.on('data', check);
    void exited.then((how) => reject(new Error(`node ${how} before it was ready: ${out}`)));
  });
  return {
    child, address, exited, output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A node stuck in a loop (the code before a fix) never runs its SIGTERM handler.
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Sends one call and waits for its answer, or fails as soon as the node process exits. */
export async function callOrExit(node: HardenedNode, c: RawClient, seq: number, type: string, key: string, method: string, args: unknown[], opts?: object): Promise<Answer> {
  return Promise.race([
    c.send(seq, c.frames(seq, type, key, method, args, opts as never), 30_000),
    node.exited.then((how) => { throw new Error(`the node ${how} before answering ${type}.${method}: ${node.output().slice(-2000)}`); }),
  ]);
}

export { RawClient };
