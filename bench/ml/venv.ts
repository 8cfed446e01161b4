/**
 * The ml bench's Python peers live in their own virtual environments under `.venv-bench/` (gitignored),
 * created here on first use: pyspark and MLServer pin many packages and must not touch the main
 * environment. A stamp file records the package list, so a changed list reinstalls.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VENV_ROOT = join(ROOT, '.venv-bench');

/** scikit-learn and Spark MLlib for bench/ml/fit.ts (pandas: pyspark's Arrow conversion needs it). */
export const PEERS_PACKAGES = ['pyspark==4.3.0', 'scikit-learn==1.9.1', 'pyarrow==26.0.1', 'pandas==3.1.1'];
/**
 * MLServer serving a scikit-learn model, for the serving bench. uvloop 0.22 makes MLServer 1.7.1's
 * inference worker die at model load ("There is no current event loop", SeldonIO/MLServer#2286):
 * pinned below it so MLServer runs with its default parallel worker.
 */
export const MLSERVER_PACKAGES = ['mlserver==1.7.1', 'mlserver-sklearn==1.7.1', 'scikit-learn==1.9.1', 'uvloop==0.21.0'];

function run(cmd: string, args: string[], log: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const keep = (b: Buffer) => { tail = (tail + b.toString()).slice(-4000); };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else { log(tail); reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`)); }
    });
  });
}

/**
 * Returns the python executable of `.venv-bench/<name>`, creating the venv and installing `packages`
 * with pip when it is missing or was made for another package list.
 */
export async function ensureVenv(name: string, packages: string[], log: (s: string) => void = (s) => console.error(s)): Promise<string> {
  const dir = join(VENV_ROOT, name);
  const python = join(dir, 'bin', 'python');
  const stamp = join(dir, '.crucial-bench-packages');
  const want = packages.join('\n');
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return python;
  mkdirSync(VENV_ROOT, { recursive: true });
  if (!existsSync(python)) {
    log(`creating venv ${dir} ...`);
    await run('python3', ['-m', 'venv', dir], log);
  }
  log(`installing into ${name}: ${packages.join(' ')} (once; a few minutes) ...`);
  await run(python, ['-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...packages], log);
  writeFileSync(stamp, want);
  return python;
}
