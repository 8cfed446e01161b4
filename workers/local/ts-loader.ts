/**
 * User task modules load in a worker the way the user's program loads them. Plain JS needs
 * nothing; under Node's type stripping the worker inherits the flag with the program's execArgv;
 * under the tsx CLI (`tsx main.ts`, `node --import tsx main.ts`) the program's hooks do not reach
 * worker threads, so the pool tells each worker where the program's tsx is and the worker registers
 * it before it imports a task's module. crucial's own worker code is compiled JS either way.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The URL of the tsx ESM API the program runs under (found from its `--import`/`--loader` flags),
 * or null when it does not run under tsx.
 */
export function programTsxApi(execArgv: readonly string[] = process.execArgv): string | null {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (flag !== '--import' && flag !== '--loader' && flag !== '--experimental-loader' && flag !== '--require' && flag !== '-r') continue;
    const value = eq >= 0 ? arg.slice(eq + 1) : execArgv[i + 1];
    if (!value) continue;
    // The tsx CLI passes file URLs of its own dist/ (loader.mjs, preflight.cjs); `--import tsx`
    // names the package, resolved from the program's directory.
    const inDist = /^(.*[/\\]tsx[/\\]dist[/\\])(?:loader\.mjs|preflight\.cjs|esm[/\\]index\.mjs)$/.exec(value.replace(/^file:\/\//, ''));
    if (inDist) return pathToFileURL(join(inDist[1]!, 'esm', 'api', 'index.mjs')).href;
    if (value === 'tsx' || value === 'tsx/esm') {
      try {
        const pkg = createRequire(join(process.cwd(), 'noop.js')).resolve('tsx/package.json');
        return pathToFileURL(join(pkg, '..', 'dist', 'esm', 'api', 'index.mjs')).href;
      } catch {
        return null;
      }
    }
  }
  return null;
}

/** In a worker: registers the program's tsx (from `programTsxApi`), so task modules in TypeScript load. */
export async function registerProgramTsx(api: string | null | undefined): Promise<void> {
  if (!api) return;
  const { register } = (await import(api)) as { register: () => unknown };
  register();
}
