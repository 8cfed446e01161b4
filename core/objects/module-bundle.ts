/**
 * Ships a user module to DSO nodes. The module is bundled with its local imports (packages stay
 * external, resolved by the node next to crucial) and named by the hash of the bundle, so any
 * change to the class's code yields a new version.
 */
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';

export interface ModuleBundle {
  hash: string;
  code: string;
}

const cache = new Map<string, Promise<ModuleBundle>>();

export function bundleModule(moduleUrl: string): Promise<ModuleBundle> {
  let p = cache.get(moduleUrl);
  if (!p) {
    p = (async () => {
      // Loaded on first use: most programs (and every worker) never ship a module.
      const { build } = await import('esbuild');
      const out = await build({
        entryPoints: [fileURLToPath(moduleUrl)],
        bundle: true,
        format: 'esm',
        platform: 'node',
        target: 'node20',
        packages: 'external',
        write: false,
        logLevel: 'silent',
      });
      const code = out.outputFiles[0]!.text;
      return { hash: createHash('sha256').update(code).digest('hex'), code };
    })();
    cache.set(moduleUrl, p);
    p.catch(() => cache.delete(moduleUrl));
  }
  return p;
}
