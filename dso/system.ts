/** The node's own object (`$system`): liveness, module upload, housekeeping. Reachable from any client. */
import type { ModuleLoader } from './modules.ts';
import type { ObjectStore } from './store.ts';
import type { DedupCache } from './dedup.ts';
import { arg } from './registry.ts';

export class SystemObject {
  constructor(private readonly deps: { modules: ModuleLoader; store: ObjectStore; dedup: DedupCache; startedAt: number }) {}

  ping(): string { return 'pong'; }

  /** Stores and imports a client's module; returns the shared class names it defines. */
  loadModule(hash: unknown, code: unknown): Promise<string[]> {
    return this.deps.modules.load(arg.string(hash, 'loadModule(hash)'), arg.string(code, 'loadModule(code)'));
  }

  /** Removes one object; true if it existed. */
  delete(type: unknown, key: unknown): boolean {
    return this.deps.store.delete(arg.string(type, 'delete(type)'), arg.string(key, 'delete(key)'));
  }

  /** Drops every ephemeral object; returns how many. */
  clearEphemeral(): number { return this.deps.store.clearEphemeral(); }

  stats(): Record<string, number> {
    return { objects: this.deps.store.size, clients: this.deps.dedup.clientCount, uptimeMs: Date.now() - this.deps.startedAt };
  }
}
