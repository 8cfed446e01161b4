/**
 * The files behind `crucial dso start`'s credentials, the Jupyter way: secrets live in files only
 * their user can read (0600, in 0700 directories), and the node writes a runtime file for its port
 * that clients on the same machine read by themselves (core/protocol/transport/credentials.ts).
 * - PLAIN: `--token-file PATH` holds the root token (made if missing, kept across restarts);
 *   without it the token of the runtime file for a fixed port is kept, else a new one is made.
 * - `--tokens FILE`: JSON `{ "namespace": "token", ... }`, one namespace per tenant.
 * - CURVE: `--curve DIR` holds `server.json` (the node's key pair), `clients.json`
 *   (`{ "namespace": "client public key" }`) and, made with them, `client.json`: credentials for a
 *   first client (root), to copy to the machines that connect (as their CRUCIAL_TOKEN_FILE).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidOptionError } from '../core/protocol/errors.ts';
import { pruneStaleRuntimeFiles, readCredentialsFile, runtimeIpcTokenFile, runtimeOwnerFile, runtimeTokenFile } from '../core/protocol/transport/credentials.ts';
import type { ClientSecurity } from '../core/protocol/transport/security.ts';
import { curveKeyPair, curvePublicKey } from '../core/protocol/transport/zmtp/curve.ts';
import type { AuthOptions } from './auth.ts';

/** Writes a secret: the directory made 0700 if it is new, the file 0600 before anything is in it. */
export function writeSecret(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, '', { mode: 0o600 });
  chmodSync(path, 0o600);
  writeFileSync(path, text);
}

/** A secret file others can read is refused: its secret may be known already. */
function readSecret(path: string): string {
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new InvalidOptionError(`${path} is readable by others (mode ${mode.toString(8)}): chmod 600 it, and make a new secret if others may have read it`);
  }
  return readFileSync(path, 'utf8');
}

function readJson(path: string): Record<string, string> {
  let v: unknown;
  try {
    v = JSON.parse(readSecret(path));
  } catch (err) {
    if (err instanceof InvalidOptionError) throw err;
    throw new InvalidOptionError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new InvalidOptionError(`${path} must hold a JSON object of strings`);
  }
  return v as Record<string, string>;
}

const newToken = () => randomBytes(32).toString('hex');

/** What the command line asked for. */
export interface AuthFlags {
  tokenFile?: string;
  tokens?: string;
  curve?: string;
  insecure?: boolean;
}

/** The node's auth options, what to tell the operator, and the runtime file to write once the port is known. */
export interface PreparedAuth {
  options: AuthOptions;
  /** Lines for the operator (where the secrets are). */
  notes: string[];
  /**
   * Writes the runtime file for `port` (the owner's credentials), and the one for the Unix socket
   * when there is one, and returns their paths; when there is nothing to write, removes any such
   * files an earlier node left there and returns none.
   */
  writeRuntime(port: number): string[];
  /**
   * At a clean stop: removes the runtime file of a node on a free port (0), if it still holds what
   * this node wrote. A node on a fixed port keeps it, so that a restart keeps the token and clients
   * linked to the port (whose credentials were read once, as libzmq's are) get back in.
   */
  removeRuntime(): void;
}

/**
 * @param port the port asked for (0: any), whose runtime file's token is kept when no token file is given
 * @param ipcPath the node's Unix socket, if any: its runtime file's token is kept the same way
 *   (after a fixed port's), and written beside the port's
 * @throws {InvalidOptionError} if the flags contradict each other or a file is malformed or readable by others
 */
export function prepareAuth(flags: AuthFlags, port: number, ipcPath?: string): PreparedAuth {
  const exclusive = [flags.insecure && '--insecure', flags.curve && '--curve', (flags.tokenFile || flags.tokens) && '--token-file/--tokens'].filter(Boolean);
  if (exclusive.length > 1) throw new InvalidOptionError(`${exclusive.join(' and ')} exclude each other`);
  let own: ClientSecurity | undefined;
  const notes: string[] = [];
  const options: AuthOptions = {};
  if (flags.insecure) {
    options.insecure = true;
    notes.push('crucial dso: --insecure: NO AUTHENTICATION, anyone who can reach the port can call this node');
  } else if (flags.curve) {
    const dir = flags.curve;
    const serverFile = join(dir, 'server.json');
    const clientsFile = join(dir, 'clients.json');
    const clientFile = join(dir, 'client.json');
    if (!existsSync(serverFile)) writeSecret(serverFile, `${JSON.stringify(curveKeyPair(), null, 2)}\n`);
    const server = readJson(serverFile);
    if (!server.secretKey) throw new InvalidOptionError(`${serverFile} has no secretKey`);
    const publicKey = curvePublicKey(server.secretKey);
    if (!existsSync(clientsFile)) {
      const client = curveKeyPair();
      writeSecret(clientFile, `${JSON.stringify({ serverKey: publicKey, ...client }, null, 2)}\n`);
      writeSecret(clientsFile, `${JSON.stringify({ '': client.publicKey }, null, 2)}\n`);
    }
    options.curve = { secretKey: server.secretKey, clients: readJson(clientsFile) };
    if (existsSync(clientFile)) own = readCredentialsFile(clientFile);
    notes.push(`crucial dso CURVE server key ${publicKey}; admitted clients in ${clientsFile}${existsSync(clientFile) ? `; credentials of the first client in ${clientFile} (copy it to a client machine, point CRUCIAL_TOKEN_FILE at it)` : ''}`);
  } else {
    if (flags.tokens) {
      options.tokens = readJson(flags.tokens);
      notes.push(`crucial dso tokens from ${flags.tokens}: ${Object.keys(options.tokens).map((ns) => (ns === '' ? '(root)' : ns)).join(', ')}`);
    }
    if (flags.tokenFile) {
      if (!existsSync(flags.tokenFile)) writeSecret(flags.tokenFile, `${newToken()}\n`);
      options.token = readSecret(flags.tokenFile).trim();
      notes.push(`crucial dso token in ${flags.tokenFile}`);
    } else if (!flags.tokens) {
      // A node restarted on its port (or its socket) keeps its token, so clients still linked to it (or resending to it) get back in.
      const kept = [port > 0 ? runtimeTokenFile(port) : undefined, ipcPath !== undefined ? runtimeIpcTokenFile(ipcPath) : undefined]
        .map((f) => (f !== undefined && existsSync(f) ? safeRead(f) : undefined))
        .find((t) => t !== undefined && /^[0-9a-f]{64}$/.test(t));
      options.token = kept ?? newToken();
    }
    if (options.token !== undefined) own = { mechanism: 'PLAIN', username: 'crucial', password: options.token };
  }
  let written: { path: string; text: string } | undefined;
  return {
    options,
    notes,
    writeRuntime(actualPort) {
      if (!own) {
        // Nothing for clients to present (--insecure, or CURVE without a client file): a file an
        // earlier node left for this port or socket would have them offer a token this node refuses.
        rmSync(runtimeTokenFile(actualPort), { force: true });
        rmSync(runtimeOwnerFile(actualPort), { force: true });
        if (ipcPath !== undefined) rmSync(runtimeIpcTokenFile(ipcPath), { force: true });
        return [];
      }
      pruneStaleRuntimeFiles();
      const path = runtimeTokenFile(actualPort);
      const text = own.mechanism === 'PLAIN' ? `${own.password}\n` : `${JSON.stringify(own)}\n`;
      // Owner first: a client that reads the token sees whose it is; a fixed port gets none (its token outlives restarts).
      if (port === 0) writeSecret(runtimeOwnerFile(actualPort), `${process.pid}\n`);
      else rmSync(runtimeOwnerFile(actualPort), { force: true });
      writeSecret(path, text);
      written = { path, text };
      if (ipcPath === undefined) return [path];
      // A socket path is fixed, as a fixed port is: its file stays at a stop, for the next node there.
      const ipcFile = runtimeIpcTokenFile(ipcPath);
      writeSecret(ipcFile, text);
      return [path, ipcFile];
    },
    removeRuntime() {
      if (port === 0 && written && safeRead(written.path) === written.text.trim()) {
        rmSync(written.path, { force: true });
        rmSync(written.path.replace(/\.token$/, '.pid'), { force: true });
      }
    },
  };
}

function safeRead(path: string): string | undefined {
  try {
    return readSecret(path).trim();
  } catch {
    return undefined;
  }
}
