/**
 * What an error reply of the node carries. A user's own error keeps its stack, the user wants it,
 * but only the frames of user code: the node's frames (its source paths, node's internals) say
 * nothing to a client and tell an attacker where and what the node runs. The node's own refusals
 * (a bad frame, an unknown type, a limit) carry no stack: the code and message are the whole story,
 * and not formatting a stack for each keeps a node that is fed garbage fast.
 */
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrucialError, errorToData, type ErrorData } from '../core/protocol/errors.ts';

/** The node's own files (and its node_modules): frames there are dropped. */
const NODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..') + sep;

/**
 * Builds the error reply data for `err`.
 * @param moduleDirs where user modules live (their frames are kept even inside the node's root)
 */
export function replyErrorData(err: unknown, moduleDirs: readonly string[] = [join(NODE_ROOT, '.crucial-cache')]): ErrorData {
  if (err instanceof CrucialError) {
    // One that came over the wire (a Future's stored error) carries its raiser's stack: passed on as is.
    if (err.remoteStack !== undefined) return errorToData(err);
    return { code: err.code, name: err.remoteName ?? err.name, message: err.message, stack: '' };
  }
  const data = errorToData(err);
  data.stack = userFrames(data.stack ?? '', moduleDirs);
  return data;
}

/** The first line (name and message) and the frames that are not the node's or node's internals. */
export function userFrames(stack: string, moduleDirs: readonly string[]): string {
  const lines = stack.split('\n');
  const kept = lines.filter((line, i) => {
    if (i === 0 || !/^\s+at /.test(line)) return true;
    if (/\((node:|internal\/)|at (node:|internal\/)/.test(line)) return false;
    const path = /(?:file:\/\/)?(\/[^:()]+)/.exec(line)?.[1];
    if (!path) return true;
    if (moduleDirs.some((d) => path.startsWith(d))) return true;
    return !path.startsWith(NODE_ROOT);
  });
  return kept.join('\n');
}
