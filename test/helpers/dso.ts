/**
 * A real DSO node for tests: `withDso()` registers mocha hooks that start a node on a free port and
 * connect to it before the suite, and close everything after. Connections revive references as
 * proxies (they come from `connect`), exactly as the SDK's own.
 */
import { strict as assert } from 'node:assert';
import { startDso, type DsoNode } from '../../dso/node.ts';
import { connect } from '../../core/client/context.ts';
import type { Connection } from '../../core/client/connection.ts';
import { CrucialError } from '../../core/protocol/errors.ts';
import { credentialsFor } from '../../core/protocol/transport/credentials.ts';
import type { SharedOptions } from '../../core/objects/shared-object.ts';

export interface DsoFixture {
  /** The node under test. */
  readonly node: DsoNode;
  /** A connection opened in before(). */
  readonly connection: Connection;
  /** Proxy options binding a proxy to `connection`. */
  readonly opts: SharedOptions;
  /** Opens one more connection, closed in after(). */
  connect(): Connection;
  /** A key no other test uses, so tests in one suite never share state. */
  key(prefix?: string): string;
}

/** Call at the top of a `describe`; the fields of the returned fixture are set once before() ran. */
export function withDso(): DsoFixture {
  let node: DsoNode | undefined;
  let connection: Connection | undefined;
  const extra: Connection[] = [];
  let n = 0;
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('withDso(): the node is used before the before() hook ran');
    return v;
  };
  const fixture: DsoFixture = {
    get node() { return need(node); },
    get connection() { return need(connection); },
    get opts() { return { connection: need(connection) }; },
    connect() {
      const c = connect(need(node).address);
      extra.push(c);
      return c;
    },
    key(prefix = 'k') { return `${prefix}-${++n}`; },
  };
  before(async () => {
    // One user (the test): its node lets it upload @Shared classes, as the embedded default does.
    node = await startDso({ host: '127.0.0.1', port: 0, allowUpload: true });
    connection = connect(node.address);
  });
  after(async () => {
    await Promise.all([connection, ...extra.splice(0)].map((c) => c?.close()));
    await node?.close();
  });
  return fixture;
}

/** zeromq.js socket options carrying this process's credentials for the node at `address` (for raw test sockets). */
export function zmqCredentials(address: string): { plainUsername?: string; plainPassword?: string } {
  const s = credentialsFor(address);
  return s?.mechanism === 'PLAIN' ? { plainUsername: s.username, plainPassword: s.password } : {};
}

/** Asserts that `p` rejects with a CrucialError of `code`; returns the error. */
export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<CrucialError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof CrucialError, `expected a CrucialError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected a rejection with ${code}`);
}

/** True if `p` has not settled after `ms` milliseconds (the only timing fact tests assert). */
export async function stillPending(p: Promise<unknown>, ms = 50): Promise<boolean> {
  let settled = false;
  p.then(() => { settled = true; }, () => { settled = true; });
  await new Promise((r) => setTimeout(r, ms));
  return !settled;
}
