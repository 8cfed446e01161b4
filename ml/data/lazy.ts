/**
 * ml/data/read.ts (and with it apache-arrow) loaded on first use, once per thread. A dynamic
 * import of a module already loaded still goes through the loader's resolve step, which from the
 * TypeScript sources (tsx) is a round trip to the loader's hooks thread, ~0.5-1.5 ms on a loaded
 * machine: several per fit, in the driver and in every cloud thread, before this.
 */
let read: Promise<typeof import('./read.ts')> | undefined;

/** The dataset reader module, imported once. */
export function readModule(): Promise<typeof import('./read.ts')> {
  read ??= import('./read.ts');
  return read;
}
