/**
 * AtomicLong, AtomicInt, AtomicBoolean and AtomicCounter as one 8-byte cell in the region (a
 * one-element `PFloat64Array`). After a call that changed the value, the new 8 bytes are written
 * through `heap.atomicWrite`, which joins the call's failure-atomic block (the cell and the call's
 * dedup record land together or not at all); no encoding. Calls that leave the value as it was
 * (reads, a failed compareAndSet) write nothing.
 */
import { PFloat64Array, type PObject } from '../../pmem/index.ts';
import { AtomicBoolean } from '../objects/atomic-boolean.ts';
import { AtomicCounter } from '../objects/atomic-counter.ts';
import { AtomicInt } from '../objects/atomic-int.ts';
import { AtomicLong } from '../objects/atomic-long.ts';
import type { Binding, Strategy, StrategyContext } from './strategies.ts';

type Scalar = bigint | number | boolean;

/** How one type's value maps to the cell: which field holds it and how it is stored. */
interface Codec {
  /** The (private) field of the node-side class that holds the value. */
  field: string;
  write(cell: PFloat64Array, v: Scalar): void;
  read(cell: PFloat64Array): Scalar;
}

/** int64 as its own bits (a double cannot hold every long, and NaN bit patterns are not preserved through a double). */
const long: Codec = {
  field: 'value',
  write: (cell, v) => { const f = cell.view(); new BigInt64Array(f.buffer, f.byteOffset, 1)[0] = v as bigint; },
  read: (cell) => { const f = cell.view(); return new BigInt64Array(f.buffer, f.byteOffset, 1)[0]!; },
};
/** Integers up to 2^53 and booleans are exact as doubles. */
const number = (field: string): Codec => ({
  field,
  write: (cell, v) => { cell.view()[0] = v as number; },
  read: (cell) => cell.view()[0]!,
});
const bool: Codec = {
  field: 'value',
  write: (cell, v) => { cell.view()[0] = v ? 1 : 0; },
  read: (cell) => cell.view()[0] !== 0,
};

/** The codecs write through `view()`; this gives them 8 plain bytes to fill instead of the region. */
function scratch(bytes: Uint8Array): PFloat64Array {
  const f = new Float64Array(bytes.buffer, 0, 1);
  return { view: () => f } as unknown as PFloat64Array;
}

class ScalarBinding implements Binding {
  constructor(
    private readonly ctx: StrategyContext,
    readonly root: PFloat64Array,
    private readonly codec: Codec,
    private readonly obj: Record<string, Scalar>,
    private last: Scalar,
  ) {}

  commit(): boolean {
    const v = this.obj[this.codec.field]!;
    if (v === this.last) return false;
    this.store(v);
    return true;
  }

  rollback(): void {
    const v = this.codec.read(this.root);
    this.obj[this.codec.field] = v;
    this.last = v;
  }

  store(v: Scalar): void {
    const bytes = new Uint8Array(8);
    this.codec.write(scratch(bytes), v);
    const cell = this.root.view();
    this.ctx.heap.atomicWrite(this.root.addr, cell.byteOffset, bytes);
    this.last = v;
    const s = this.ctx.stats;
    s.commits++;
    s.entriesWritten++;
    s.bytesWritten += 8;
  }
}

function scalarStrategy(name: string, codec: Codec): Strategy {
  return {
    name,
    create(ctx, instance) {
      const obj = instance as Record<string, Scalar>;
      const cell = PFloat64Array.create(ctx.heap, 1);
      const b = new ScalarBinding(ctx, cell, codec, obj, obj[codec.field]!);
      codec.write(cell, obj[codec.field]!);
      cell.touch();
      return b;
    },
    attach(ctx, root: PObject, proto) {
      if (!(root instanceof PFloat64Array) || root.length !== 1) throw new TypeError(`a ${name} is stored as a one-element PFloat64Array`);
      const v = codec.read(root);
      const instance = Object.assign(Object.create(proto), { [codec.field]: v }) as Record<string, Scalar>;
      return { instance, binding: new ScalarBinding(ctx, root, codec, instance, v) };
    },
  };
}

/** Scalar strategies by node-side class. */
export const scalarStrategies = new Map<Function, Strategy>([
  [AtomicLong, scalarStrategy('AtomicLong', long)],
  [AtomicInt, scalarStrategy('AtomicInt', number('value'))],
  [AtomicCounter, scalarStrategy('AtomicCounter', number('count'))],
  [AtomicBoolean, scalarStrategy('AtomicBoolean', bool)],
]);
