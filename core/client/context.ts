/**
 * Where proxies send their calls by default. With `CRUCIAL_DSO` set (e.g. tcp://10.0.0.5:7700) the
 * SDK connects there; without it, it starts an embedded DSO node in this process on a free loopback
 * port and exports its address in `CRUCIAL_DSO`, so worker threads and processes started afterwards
 * find the same node. This is the embedded default: nothing to configure.
 *
 * One program, one node: a worker (`CRUCIAL_WORKER=1`) never embeds a node of its own; it uses the
 * address its parent sends with each task (`useDso`), and fails without one.
 */
import { Connection, type ConnectionOptions } from './connection.ts';
import { UnavailableError } from '../protocol/errors.ts';
import { credentialsFor, registerCredentials } from '../protocol/transport/credentials.ts';
import type { ClientSecurity } from '../protocol/transport/security.ts';
import type { ObjectRef } from '../protocol/wire/protocol.ts';

type Closable = { close(): Promise<void>; address: string; token?: string };

let defaultConnection: Promise<Connection> | null = null;
let embedded: Closable | null = null;
let reviver: ((ref: ObjectRef, conn: Connection) => unknown) | undefined;

const shutdownHooks: (() => Promise<void>)[] = [];

/** Runs `hook` at `shutdown()` (the default worker pool closes itself this way). */
export function onShutdown(hook: () => Promise<void>): void {
  shutdownHooks.push(hook);
}

/** Installed by the objects layer so references arriving in values become proxies. */
export function setRefReviver(fn: (ref: ObjectRef, conn: Connection) => unknown): void {
  reviver = fn;
}

/** Opens a new connection to a node, reviving references as proxies bound to it. */
export function connect(address: string, options: ConnectionOptions = {}): Connection {
  return new Connection(address, { reviveRef: reviver, ...options });
}

/** The process-wide connection, created on first use (starting the embedded node if needed). */
export function defaultConnectionAsync(): Promise<Connection> {
  if (!defaultConnection) {
    defaultConnection = (async () => {
      let address = process.env.CRUCIAL_DSO;
      if (!address && process.env.CRUCIAL_WORKER === '1') {
        throw new UnavailableError('this crucial worker was given no DSO address (CRUCIAL_DSO) by its parent; a worker never starts a node of its own');
      }
      if (!address) {
        const { startDso } = await import('../../dso/node.ts');
        // One user, one program: its own node lets it upload its @Shared classes, with a token made for it.
        // Its sockets, and the idle default connection's, let the program end when its own work does,
        // shutdown() or not (a call in flight holds it: the connection's socket is held while one is).
        const node = await startDso({ host: '127.0.0.1', port: 0, allowUpload: true, holdsProcess: false });
        embedded = node;
        address = node.address;
        process.env.CRUCIAL_DSO = address;
        // Processes this program starts find the node, and its token, as its worker threads do.
        if (node.token) process.env.CRUCIAL_TOKEN = node.token;
      }
      return connect(address, { holdsProcessWhenIdle: false });
    })();
    defaultConnection.catch(() => { defaultConnection = null; });
  }
  return defaultConnection;
}

/**
 * Points this process at the node `address` (a worker told by its parent, with each task, which node
 * the program uses). A default connection to another node is closed: the parent moved on from it
 * (after `shutdown()`, a later use embeds a new node), so its calls could only fail.
 */
export async function useDso(address: string, security?: ClientSecurity): Promise<void> {
  // Credentials the parent sent (a worker thread has no registry of the parent's nodes).
  if (security) registerCredentials(address, security);
  if (process.env.CRUCIAL_DSO === address) return;
  process.env.CRUCIAL_DSO = address;
  const old = defaultConnection;
  defaultConnection = null;
  if (old) await (await old.catch(() => null))?.close();
}

/** Address of the node in use, starting the embedded one if needed. */
export async function dsoAddress(): Promise<string> {
  return (await defaultConnectionAsync()).address;
}

/** The credentials this process presents to the node at `address` (what a worker it starts must be sent), if any. */
export function dsoCredentials(address: string): ClientSecurity | undefined {
  return credentialsFor(address);
}

/**
 * Closes the default connection and, if this process started one, the embedded node, and stops the
 * default worker pool. Call at the end of a program: it frees them at once (a program that does not
 * still ends, within a second of its last call, since idle they do not hold the process). A later use
 * of the defaults starts them again, with a new, empty embedded node.
 */
export async function shutdown(): Promise<void> {
  for (const hook of shutdownHooks.splice(0).reverse()) await hook();
  const conn = defaultConnection;
  defaultConnection = null;
  if (conn) await (await conn.catch(() => null))?.close();
  if (embedded) {
    const node = embedded;
    embedded = null;
    if (process.env.CRUCIAL_DSO === node.address) {
      delete process.env.CRUCIAL_DSO;
      if (node.token !== undefined && process.env.CRUCIAL_TOKEN === node.token) delete process.env.CRUCIAL_TOKEN;
    }
    await node.close();
  }
}
