/**
 * The file of a Unix domain socket a ROUTER listens on (`ipc://path`). A client on the node's own
 * host reaches it without TCP: no congestion control pacing the bytes, no acknowledgements, one
 * wake-up per write instead of one per segment (an 8 MB array from Python: ~2 ms either way,
 * against 3-6 ms over loopback TCP on the benches' VM; bench/RESULTS.md).
 *
 * Who may connect is the file's business: it is made mode 0600 (its owner only), and the node's
 * security mechanism (PLAIN, CURVE) still applies on top. A socket file left by a node that died is
 * replaced; anything else at the path (a live node's socket, a regular file) is an error, never removed.
 */
import { chmodSync, lstatSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect, type Server } from 'node:net';
import { InvalidOptionError } from '../../errors.ts';

/** Whether a process accepts connections on the Unix socket at `path`. */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Makes `path` free for a new socket: nothing there, or a dead node's socket (removed).
 * @throws {InvalidOptionError} if its directory is missing, something else is at `path`, or a process listens there
 */
export async function claimIpcPath(path: string): Promise<void> {
  let dir;
  try {
    dir = statSync(dirname(path));
  } catch {
    dir = null;
  }
  if (!dir?.isDirectory()) throw new InvalidOptionError(`cannot listen on ipc://${path}: ${dirname(path)} is not a directory (it is not made for you)`);
  let stat;
  try {
    stat = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new InvalidOptionError(`cannot use ipc://${path}: ${(err as Error).message}`);
  }
  if (!stat.isSocket()) throw new InvalidOptionError(`cannot listen on ipc://${path}: a file that is not a socket is there (left as it is)`);
  if (await listening(path)) throw new InvalidOptionError(`cannot listen on ipc://${path}: another process listens there`);
  rmSync(path, { force: true });
}

/**
 * `server.listen` on `path` with the file made mode 0600 from the start: node:net creates the socket
 * file inside the (synchronous) bind, with the process umask, so the umask is narrowed around that
 * call alone. Where the umask cannot be set (a worker thread), `restrictIpcPath` after listening
 * closes the window instead.
 */
export function listenPrivately(server: Server, path: string, listening: () => void): void {
  let previous: number | undefined;
  try {
    previous = process.umask(0o177);
  } catch {
    previous = undefined;
  }
  try {
    server.listen({ path }, listening);
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** Restricts the socket file at `path` to its owner (connecting to a Unix socket needs write permission on it). */
export function restrictIpcPath(path: string): void {
  chmodSync(path, 0o600);
}

/** Removes the socket file at `path` after its socket closed (a socket only: anything put there since stays). */
export function releaseIpcPath(path: string): void {
  try {
    if (lstatSync(path).isSocket()) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}
