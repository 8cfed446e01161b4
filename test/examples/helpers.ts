/** Runs an example command the way a user would (`npx tsx <file> ...`) and captures its output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CommandOutput {
  stdout: string;
  stderr: string;
  code: number;
}

export function runExample(file: string, args: string[] = [], timeoutMs = 60_000): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.CRUCIAL_DSO; // each command starts its own embedded node
    execFile(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], { cwd: ROOT, env, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ stdout, stderr, code: err ? (typeof err.code === 'number' ? err.code : 1) : 0 });
    });
  });
}
