/**
 * The node's own object (`$system`): liveness, module upload, housekeeping. Reachable from any
 * authenticated client; what it may do depends on who calls (`caller`, set by the node before each
 * call): code upload needs the node's upload permission, and `delete` / `clearEphemeral` reach only
 * the caller's namespace.
 */
import { BadArgumentError, ForbiddenError } from '../core/protocol/errors.ts';
import type { ParkedCalls } from './parked.ts';
import type { ModuleLoader } from './modules.ts';
import type { ObjectStore } from './store.ts';
import type { DedupCache } from './dedup.ts';
import type { Call } from '../core/protocol/wire/codec.ts';
import { arg } from './registry.ts';

/** Who makes the current `$system` call. */
export interface Caller {
  /** Maps the caller's keys to the node's (identity for the root namespace). */
  key(key: string): string;
  /** Whether a node key is the caller's to clear. */
  owns(nodeKey: string): boolean;
  /** Whether the caller may upload code. */
  mayUpload: boolean;
}

export class SystemObject {
  /** Set by the node before each call; methods read it before their first await. */
  caller: Caller = { key: (k) => k, owns: () => true, mayUpload: false };
  /**
   * The current call, set by the node with `caller`: a delete of a persistent object keeps its reply
   * durably with the removal (ObjectStore.delete), so a resend after a crash is not applied again.
   */
  call: Call | undefined;
  /** The link the current call came on, set by the node with `call`. */
  route: Uint8Array | undefined;

  constructor(private readonly deps: { modules: ModuleLoader; store: ObjectStore; dedup: DedupCache; parked: ParkedCalls; startedAt: number }) {}

  ping(): string { return 'pong'; }

  /**
   * Stores and imports a client's module; returns the shared class names it defines.
   * @throws {ForbiddenError} if the node does not allow this caller to upload code
   */
  loadModule(hash: unknown, code: unknown): Promise<string[]> {
    if (!this.caller.mayUpload) {
      throw new ForbiddenError('this DSO node does not allow code upload ($system.loadModule): start it with --allow-upload (startDso({ allowUpload: true })) if its clients are trusted to run code on it, or preload the module with --modules DIR');
    }
    return this.deps.modules.load(arg.string(hash, 'loadModule(hash)'), arg.string(code, 'loadModule(code)'));
  }

  /**
   * Withdraws the caller's own call `seq` if it is parked (a wait the caller gave up on: a Python
   * program interrupted in `Semaphore.acquire()`), so the node does not hand a permit or count a
   * barrier party for a caller that no longer waits. The call ends with an error nobody reads.
   * @returns whether such a call was parked
   * @throws {BadArgumentError} if `seq` is not a non-negative integer
   */
  cancel(seq: unknown): boolean {
    const n = arg.int(seq, 'cancel(seq)');
    if (n < 0) throw new BadArgumentError(`cancel(seq) must be a non-negative integer, got ${n}`);
    if (this.route === undefined || this.call === undefined) return false;
    return this.deps.parked.cancel(this.route, this.call.client, n);
  }

  /** Removes one object of the caller's namespace; true if it existed. */
  delete(type: unknown, key: unknown): boolean {
    return this.deps.store.delete(arg.string(type, 'delete(type)'), this.caller.key(arg.string(key, 'delete(key)')), this.call);
  }

  /** Drops every ephemeral object of the caller's namespace; returns how many. */
  clearEphemeral(): number { return this.deps.store.clearEphemeral(this.caller.owns); }

  stats(): Record<string, number> {
    return { objects: this.deps.store.size, clients: this.deps.dedup.clientCount, uptimeMs: Date.now() - this.deps.startedAt };
  }
}
