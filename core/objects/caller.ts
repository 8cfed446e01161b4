/**
 * Finds the module that called into crucial, from the V8 stack. Decorators run while the decorated
 * class's module body executes, so the first frame outside crucial's own sources names that module:
 * the file the node (or a worker) must load to get the class.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { InvalidOptionError } from '../protocol/errors.ts';

const CORE_DIR = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..')).href + '/';
// The compiled package bundles its code into dist/ (entries and dist/chunks/): all of dist/ is
// crucial's own. It ships source maps that name its sources (core/): a program running with
// source-mapped stacks (tsx, --enable-source-maps) shows crucial's frames there.
const OWN_DIRS = CORE_DIR.endsWith('/dist/core/') ? [CORE_DIR.replace(/core\/$/, ''), CORE_DIR.replace(/\/dist\/core\/$/, '/core/')] : [CORE_DIR];

export function callerModuleUrl(): string {
  const stack = new Error().stack ?? '';
  for (const m of stack.matchAll(/(file:\/\/[^\s):]+|\/[^\s():]+\.(?:[cm]?[jt]s))(?=:\d+:\d+)/g)) {
    const url = m[1]!.startsWith('file://') ? m[1]! : pathToFileURL(m[1]!).href;
    // A user module a node imports from its module cache lies under dist/ too (dso/options.ts).
    if (!OWN_DIRS.some((dir) => url.startsWith(dir)) || url.includes('/.crucial-cache/')) return url;
  }
  throw new InvalidOptionError('cannot tell which module defines this class; pass { module: import.meta.url }');
}
