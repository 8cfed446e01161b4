/** Small helpers shared by the example commands. */
import { InvalidArgumentError } from 'commander';
import { pathToFileURL } from 'node:url';

/** commander parser for a positive integer flag. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** commander parser for a non-negative number flag. */
export function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a non-negative number');
  return n;
}

/** True when `moduleUrl` (pass `import.meta.url`) is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
