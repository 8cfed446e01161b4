/**
 * User modules shipped by clients. A module is stored under its content hash and imported once;
 * every exported class marked `@Shared` is registered under its class name for that hash, so a
 * changed class is a new version while objects made from the old one keep their code.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BadArgumentError } from '../core/protocol/errors.ts';
import { isSharedClass } from '../core/objects/shared-marker.ts';
import type { TypeRegistry } from './registry.ts';

export function moduleHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

export class ModuleLoader {
  private readonly loading = new Map<string, Promise<string[]>>();

  constructor(
    private readonly registry: TypeRegistry,
    private readonly cacheDir: string,
    /** Called once a module is loaded, so a node with stable storage can keep it. */
    private readonly onLoaded: (hash: string, code: string) => void = () => undefined,
  ) {}

  /** Loads a module's code (idempotent per hash); returns the names of the shared classes it defines. */
  load(hash: string, code: string): Promise<string[]> {
    if (moduleHash(code) !== hash) throw new BadArgumentError('module hash does not match its code');
    let p = this.loading.get(hash);
    if (!p) {
      p = this.importAndRegister(hash, code);
      this.loading.set(hash, p);
      p.catch(() => this.loading.delete(hash));
    }
    return p;
  }

  private async importAndRegister(hash: string, code: string): Promise<string[]> {
    await mkdir(this.cacheDir, { recursive: true });
    const file = join(this.cacheDir, `${hash}.mjs`);
    await writeFile(file, code);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const names: string[] = [];
    for (const value of Object.values(mod)) {
      if (typeof value === 'function' && isSharedClass(value)) {
        this.registry.registerUser(value.name, value as any, hash);
        names.push(value.name);
      }
    }
    this.registry.markModuleLoaded(hash);
    this.onLoaded(hash, code);
    return names;
  }
}

/**
 * Loads every ES module (`*.mjs`, `*.js`) of `dir`, in name order, as if a client had uploaded it:
 * the node's owner vouches for them (`--modules DIR`), so they load whatever the upload permission.
 * A module bundled by the SDK (what a client would upload; the node keeps uploads as
 * `<hash>.mjs` in its module cache) gets the same hash, so clients' calls find their classes.
 * @returns the names of the shared classes defined
 */
export async function preloadModules(loader: ModuleLoader, dir: string): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => /\.m?js$/.test(f)).sort();
  const names: string[] = [];
  for (const f of files) {
    const code = await readFile(join(dir, f), 'utf8');
    names.push(...await loader.load(moduleHash(code), code));
  }
  return names;
}
