/**
 * Builds and runs the Go checker (checker/). The binary is cached under .crucial-cache/lincheck/,
 * named by a hash of the checker's sources, so a changed model is rebuilt and an unchanged one is
 * not; a fresh clone builds it once (`go build` fetches Porcupine through the module proxy, checked
 * against the committed go.sum).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const CHECKER_DIR = join(HERE, 'checker');
const CACHE_DIR = join(HERE, '..', '..', '.crucial-cache', 'lincheck');

/** One line of the checker's output. */
export interface CheckReport {
  file: string;
  seed: string;
  ok: boolean;
  ops: number;
  keys: number;
  types: string[];
  ms: number;
  failed?: string;
  result?: string;
  viz?: string;
}

/** The `go` command: $GO, else `go` on the PATH, else the usual install location. */
async function goCommand(): Promise<string> {
  if (process.env.GO) return process.env.GO;
  try {
    await run('go', ['version']);
    return 'go';
  } catch {
    return '/usr/local/go/bin/go';
  }
}

/** Builds the checker if its sources changed; resolves to the binary's path. */
export async function buildChecker(): Promise<string> {
  const files = (await readdir(CHECKER_DIR)).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum').sort();
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(await readFile(join(CHECKER_DIR, f))).update('\0');
  const bin = join(CACHE_DIR, h.digest('hex').slice(0, 16), 'lincheck');
  if (existsSync(bin)) return bin;
  await mkdir(dirname(bin), { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    await run(await goCommand(), ['build', '-o', tmp, '.'], {
      cwd: CHECKER_DIR,
      // No VCS stamping: the checker is built inside the repo's work tree, whose git state is not its concern.
      env: { ...process.env, GOFLAGS: '-mod=mod -buildvcs=false', GOTOOLCHAIN: 'local' },
      timeout: 300_000,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`building the linearizability checker failed (Go and the module proxy are needed): ${e.stderr || e.message}`);
  }
  await rename(tmp, bin); // atomic: a concurrent run sees the whole binary or none
  return bin;
}

/** Checks history files; `code` is 0 if all are linearizable, 1 if one is not, 2 on bad input. */
export async function runChecker(bin: string, files: string[], vizDir: string): Promise<{ code: number; reports: CheckReport[]; stderr: string }> {
  let stdout: string, stderr: string, code = 0;
  try {
    ({ stdout, stderr } = await run(bin, ['-viz', vizDir, ...files], { maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    ({ stdout = '', stderr = '', code } = e as { code: number; stdout?: string; stderr?: string });
  }
  const reports = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CheckReport);
  return { code, reports, stderr };
}

/** The fixtures' directory (hand-written histories, some not linearizable). */
export const FIXTURES_DIR = join(HERE, 'fixtures');
