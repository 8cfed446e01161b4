/**
 * AtomicMatrix in place: the object's `data` is the Float64Array view of a `PFloat64Matrix` in the
 * region, so reads cost what they cost in memory and a restart maps the matrix back with no copy
 * and no decode (a trained model read in place).
 *
 * A mutating call must not write the mapping directly: a kill half-way through a row would leave
 * it torn. The call runs instead against a one-row window (a copy of the row it touches, on the
 * class's own method, so validation and arithmetic stay the class's), and the result goes back with
 * one `atomicWrite` of the touched range: a redo-logged write, one ordered flush per call.
 */
import { PFloat64Matrix, type PObject } from '../../pmem/index.ts';
import { AtomicMatrix } from '../objects/atomic-matrix.ts';
import { index } from '../objects/values.ts';
import type { Binding, Strategy, StrategyContext } from './strategies.ts';

/** The fields of the node-side AtomicMatrix this strategy relies on (private to the class). */
interface MatrixFields {
  rows: number;
  cols: number;
  data: Float64Array;
}

const READS = new Set(['shape', 'get', 'getRow', 'toArray']);
/** Mutating methods whose first argument is the row they touch; `true` when they touch one cell (column is the second argument). */
const ROW_WRITES = new Map<string, boolean>([['set', true], ['add', true], ['setRow', false], ['addToRow', false]]);

class MatrixBinding implements Binding {
  private readonly window: MatrixFields;

  constructor(private readonly ctx: StrategyContext, readonly root: PFloat64Matrix, private readonly obj: MatrixFields) {
    this.window = Object.assign(Object.create(AtomicMatrix.prototype), { rows: 1, cols: obj.cols, data: new Float64Array(obj.cols) });
  }

  invoke(method: string, args: unknown[]): unknown {
    const obj = this.obj;
    const run = (AtomicMatrix.prototype as unknown as Record<string, (...a: unknown[]) => unknown>)[method]!;
    const cell = ROW_WRITES.get(method);
    if (cell === undefined) {
      if (READS.has(method)) return run.apply(obj, args);
      // A method this strategy does not know writes through the view: durable, not failure-atomic.
      // A fresh view() first orders any earlier logged write to the matrix before these stores.
      this.root.view();
      const out = run.apply(obj, args);
      this.root.touch();
      this.ctx.heap.flush();
      return out;
    }
    const cols = obj.cols;
    const r = index(args[0], obj.rows, `${method}(row)`);
    const from = r * cols;
    const w = this.window.data;
    w.set(obj.data.subarray(from, from + cols));
    const out = run.call(this.window, 0, ...args.slice(1));
    // The window now holds the row as the call left it; only the touched range goes back.
    const j = cell ? index(args[1], cols, `${method}(col)`) : 0;
    const n = cell ? 1 : cols;
    const bytes = new Uint8Array(w.buffer, 8 * j, 8 * n);
    this.ctx.heap.atomicWrite(this.root.addr, obj.data.byteOffset + 8 * (from + j), bytes);
    this.ctx.stats.entriesWritten++;
    this.ctx.stats.bytesWritten += bytes.byteLength;
    return out;
  }

  commit(method: string): boolean {
    if (READS.has(method)) return false;
    this.ctx.stats.commits++;
    return true;
  }

  /** The row's write joined the call's block: when the block did not commit, the mapping never changed. */
  rollback(): void {}

  inPlace(): boolean {
    const v = this.root.view();
    return this.obj.data.buffer === v.buffer && this.obj.data.byteOffset === v.byteOffset && this.obj.data.length === v.length;
  }
}

export const matrixStrategy: Strategy = {
  name: 'matrix',

  create(ctx, instance) {
    const obj = instance as unknown as MatrixFields;
    const m = PFloat64Matrix.create(ctx.heap, obj.rows, obj.cols, obj.data);
    ctx.stats.entriesWritten++;
    ctx.stats.bytesWritten += obj.data.byteLength;
    obj.data = m.view();
    return new MatrixBinding(ctx, m, obj);
  },

  attach(ctx, root: PObject, proto) {
    if (!(root instanceof PFloat64Matrix)) throw new TypeError(`an AtomicMatrix is stored as a PFloat64Matrix, found ${root.constructor.name}`);
    const instance = Object.assign(Object.create(proto), { rows: root.rows, cols: root.cols, data: root.view() }) as MatrixFields;
    return { instance, binding: new MatrixBinding(ctx, root, instance) };
  },
};
