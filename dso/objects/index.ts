/** Registers every built-in object type on a node. Parkable types hold callers on the node without blocking the object. */
import type { TypeRegistry } from '../registry.ts';
import { AtomicLong } from './atomic-long.ts';
import { CyclicBarrier } from './cyclic-barrier.ts';
import { Future } from './future.ts';

export function registerBuiltins(registry: TypeRegistry): void {
  registry.registerBuiltin('AtomicLong', AtomicLong);
  registry.registerBuiltin('CyclicBarrier', CyclicBarrier, true);
  registry.registerBuiltin('Future', Future, true);
}
