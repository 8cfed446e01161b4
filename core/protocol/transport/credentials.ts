/**
 * Where a client finds the credentials of the node it connects to, when it is not given them:
 * 1. a node started in this process registered them under its address (the embedded default,
 *    `startDso` in a test or a program);
 * 2. `CRUCIAL_TOKEN_FILE` (a file holding the token, or a CURVE credentials JSON), else
 *    `CRUCIAL_TOKEN`, for the node `CRUCIAL_DSO` names (any node when `CRUCIAL_DSO` is unset);
 * 3. for a node on loopback, the runtime file a `crucial dso start` on that port wrote
 *    (`<runtime dir>/dso-<port>.token`, mode 0600, in a 0700 directory: readable by its user only,
 *    as Jupyter's runtime files are); for `ipc://path`, the one it wrote for that socket
 *    (`dso-ipc-<hash of the absolute path>.token`).
 * Nothing found: the NULL mechanism, which a node that demands credentials refuses (ERR_UNAUTHORIZED).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidOptionError } from '../errors.ts';
import type { ClientSecurity } from './security.ts';
import { parseEndpoint } from './zmtp/endpoint.ts';

/** The PLAIN user name crucial clients send (the node knows a client by its token, not its name). */
export const PLAIN_USERNAME = 'crucial';

/** On globalThis: a second copy of this module (ESM and CommonJS loaders in one process) sees the same nodes. */
const registered: Map<string, ClientSecurity> = ((globalThis as Record<symbol, unknown>)[Symbol.for('crucial.credentials')] ??= new Map()) as Map<string, ClientSecurity>;

/** Registers the credentials of a node started in this process (undone by the returned function). */
export function registerCredentials(address: string, security: ClientSecurity): () => void {
  registered.set(address, security);
  return () => { if (registered.get(address) === security) registered.delete(address); };
}

/** `CRUCIAL_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/crucial`, else `~/.local/share/crucial/runtime`. */
export function runtimeDir(): string {
  const env = process.env;
  if (env.CRUCIAL_RUNTIME_DIR) return env.CRUCIAL_RUNTIME_DIR;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'crucial');
  return join(homedir(), '.local', 'share', 'crucial', 'runtime');
}

/** The runtime token file of a node started by `crucial dso start` on `port`. */
export function runtimeTokenFile(port: number): string {
  return join(runtimeDir(), `dso-${port}.token`);
}

/**
 * The runtime token file of a node started by `crucial dso start --ipc <path>`: named by a hash of
 * the socket's absolute path (the path itself may be long, and holds slashes), in the same 0700
 * directory. Like a fixed port's, it outlives the node: a restart on the path keeps the token.
 */
export function runtimeIpcTokenFile(path: string): string {
  const id = createHash('sha256').update(resolve(path)).digest('hex').slice(0, 16);
  return join(runtimeDir(), `dso-ipc-${id}.token`);
}

/**
 * The owner file beside the runtime token file of a node on an ephemeral port: its pid. Such a port
 * is the kernel's to hand to anyone once the node is gone, so after a kill -9 (no clean exit to
 * remove the token file) the token must not follow the port to whatever listens there next.
 */
export function runtimeOwnerFile(port: number): string {
  return join(runtimeDir(), `dso-${port}.pid`);
}

/** True when the process is gone (EPERM: it lives, under another user). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The runtime token file of `port` was left by a node on an ephemeral port that died without cleaning up. */
export function isStaleRuntimeFile(port: number): boolean {
  let text: string;
  try {
    text = readFileSync(runtimeOwnerFile(port), 'utf8').trim();
  } catch {
    return false; // no owner file: a fixed port, whose token outlives restarts on purpose
  }
  const pid = Number(text);
  return !Number.isSafeInteger(pid) || pid <= 0 || isDead(pid);
}

/** Removes the runtime files of dead nodes on ephemeral ports; returns the ports pruned. */
export function pruneStaleRuntimeFiles(): number[] {
  let names: string[];
  try {
    names = readdirSync(runtimeDir());
  } catch {
    return [];
  }
  const pruned: number[] = [];
  for (const name of names) {
    const m = /^dso-(\d+)\.pid$/.exec(name);
    if (!m) continue;
    const port = Number(m[1]);
    if (!isStaleRuntimeFile(port)) continue;
    rmSync(runtimeTokenFile(port), { force: true });
    rmSync(runtimeOwnerFile(port), { force: true });
    pruned.push(port);
  }
  return pruned;
}

/**
 * Reads a credentials file: one line holding a PLAIN token, or a JSON object
 * `{"serverKey", "publicKey", "secretKey"}` for CURVE.
 * @throws {InvalidOptionError} if the file cannot be read or holds neither
 */
export function readCredentialsFile(path: string): ClientSecurity {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new InvalidOptionError(`cannot read the credentials file ${path}: ${(err as Error).message}`);
  }
  return parseCredentials(text, path);
}

function parseCredentials(text: string, where: string): ClientSecurity {
  if (text.startsWith('{')) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new InvalidOptionError(`${where} is neither a token nor CURVE credentials JSON`);
    }
    const { serverKey, publicKey, secretKey } = v;
    if (typeof serverKey !== 'string' || typeof publicKey !== 'string' || typeof secretKey !== 'string') {
      throw new InvalidOptionError(`${where}: CURVE credentials need serverKey, publicKey and secretKey (Z85 strings)`);
    }
    return { mechanism: 'CURVE', serverKey, publicKey, secretKey };
  }
  if (text === '' || /\s/.test(text)) throw new InvalidOptionError(`${where} holds no token (one line, no spaces)`);
  return { mechanism: 'PLAIN', username: PLAIN_USERNAME, password: text };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * The credentials to present to the node at `address`, found as the file header says; undefined
 * for none (NULL).
 * @throws {InvalidOptionError} if `CRUCIAL_TOKEN_FILE` names a file that cannot be read or parsed
 */
export function credentialsFor(address: string): ClientSecurity | undefined {
  const mine = registered.get(address);
  if (mine) return mine;
  const env = process.env;
  if (!env.CRUCIAL_DSO || env.CRUCIAL_DSO === address) {
    if (env.CRUCIAL_TOKEN_FILE) return readCredentialsFile(env.CRUCIAL_TOKEN_FILE);
    if (env.CRUCIAL_TOKEN) return parseCredentials(env.CRUCIAL_TOKEN.trim(), 'CRUCIAL_TOKEN');
  }
  let file: string;
  try {
    const target = parseEndpoint(address);
    if (target.kind === 'ipc') file = runtimeIpcTokenFile(target.path);
    else if (!isLoopback(target.host) || isStaleRuntimeFile(target.port)) return undefined;
    else file = runtimeTokenFile(target.port);
  } catch {
    return undefined;
  }
  try {
    return readCredentialsFile(file);
  } catch {
    return undefined;
  }
}
