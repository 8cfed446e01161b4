/** Starts bench/ml/dso-node.ts as a child process: a DSO node the parent and its children share. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const NODE_MAIN = fileURLToPath(new URL('./dso-node.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A node process and the environment (CRUCIAL_DSO, CRUCIAL_TOKEN when it has one) its clients need. */
export interface MlNodeProcess {
  child: ChildProcess;
  address: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startNodeProcess(): Promise<MlNodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE_MAIN], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const [address, token] = await new Promise<[string, string]>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+) (\S+)\n/.exec(out);
      if (m) resolve([m[1]!, m[2]!]);
    });
    child.once('exit', (code) => reject(new Error(`dso node exited ${code}: ${out}`)));
  });
  return {
    child,
    address,
    env: { CRUCIAL_DSO: address, ...(token !== '-' ? { CRUCIAL_TOKEN: token } : {}) },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      await gone;
    },
  };
}
