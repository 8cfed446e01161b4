/** Registers every built-in object type on a node. Parkable types hold callers on the node without blocking the object. */
import type { TypeRegistry } from '../registry.ts';
import { AtomicBoolean } from './atomic-boolean.ts';
import { AtomicByteArray } from './atomic-byte-array.ts';
import { AtomicCounter } from './atomic-counter.ts';
import { AtomicInt } from './atomic-int.ts';
import { AtomicList } from './atomic-list.ts';
import { AtomicLong } from './atomic-long.ts';
import { AtomicMap } from './atomic-map.ts';
import { AtomicMatrix } from './atomic-matrix.ts';
import { AtomicReference } from './atomic-reference.ts';
import { AtomicTreeMap } from './atomic-tree-map.ts';
import { CountDownLatch } from './count-down-latch.ts';
import { CyclicBarrier } from './cyclic-barrier.ts';
import { Future } from './future.ts';
import { ScalableCyclicBarrier } from './scalable-cyclic-barrier.ts';
import { Semaphore } from './semaphore.ts';
import { registerMlTypes } from '../../ml/node-types.ts';

export function registerBuiltins(registry: TypeRegistry): void {
  registry.registerBuiltin('AtomicLong', AtomicLong);
  registry.registerBuiltin('AtomicInt', AtomicInt);
  registry.registerBuiltin('AtomicBoolean', AtomicBoolean);
  registry.registerBuiltin('AtomicReference', AtomicReference);
  registry.registerBuiltin('AtomicByteArray', AtomicByteArray);
  registry.registerBuiltin('AtomicCounter', AtomicCounter);
  registry.registerBuiltin('AtomicList', AtomicList);
  registry.registerBuiltin('AtomicMap', AtomicMap);
  registry.registerBuiltin('AtomicTreeMap', AtomicTreeMap);
  registry.registerBuiltin('AtomicMatrix', AtomicMatrix);
  registry.registerBuiltin('ScalableCyclicBarrier', ScalableCyclicBarrier);
  registry.registerBuiltin('CyclicBarrier', CyclicBarrier, true);
  registry.registerBuiltin('Future', Future, true);
  registry.registerBuiltin('Semaphore', Semaphore, true);
  registry.registerBuiltin('CountDownLatch', CountDownLatch, true);
  registerMlTypes(registry);
}
