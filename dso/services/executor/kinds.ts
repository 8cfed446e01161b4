/**
 * The job kinds a node runs (PROTOCOL.md §11.2): named handlers registered in the node's code. A
 * client names a kind and passes arguments; it never sends code, so these run on a node that
 * forbids module upload.
 */
import { BadArgumentError } from '../../../core/protocol/errors.ts';
import type { Connection } from '../../../core/client/connection.ts';
import type { JobProgress } from '../../../core/protocol/jobs.ts';
import { looksLikeTable } from '../../../core/protocol/wire/arrow.ts';
import { arg, describe } from '../../registry.ts';
import { mlFitJob } from './ml-fit.ts';

/** What a running job's handler gets. */
export interface JobContext {
  /** The job's id. */
  id: string;
  /** Its arguments, as the kind's `validate` returned them. */
  args: Record<string, unknown>;
  /** Aborted when the job is cancelled or the node closes. */
  signal: AbortSignal;
  /** This node's address (cloud threads the job starts connect here). */
  dso: string;
  /** Reports progress; `$jobs.status` answers the last report. */
  progress(p: JobProgress): void;
  /** A client connection to this node, for handlers that call objects on it. */
  connection(): Promise<Connection>;
}

/** A registered job kind. */
export interface JobKind {
  /**
   * Checks the arguments at submit time, so a bad one fails the `submit` call itself.
   * @throws {BadArgumentError} naming the argument
   */
  validate(args: Record<string, unknown>): Record<string, unknown>;
  /** Runs the job; its resolved value is the job's result (any wire value). */
  run(ctx: JobContext): Promise<unknown>;
}

/** Minimal view of an Arrow table as it arrives from the wire (the node does not import apache-arrow for it). */
interface ArrowTableLike {
  numRows: number;
  schema: { fields: { name: string; typeId: number }[] };
  getChild(name: string): { toArray(): ArrayLike<number | bigint> } | null;
}

/**
 * `echo`: answers `args.value`. With `after` (a CountDownLatch key on this node) it first waits for
 * that latch to open, so a job can be made to wait for an event (and tests can hold a job running
 * without sleeping).
 */
const echo: JobKind = {
  validate(args) {
    if (args.after !== undefined && args.after !== null) arg.string(args.after, 'echo(after)');
    return args;
  },
  async run(ctx) {
    const after = ctx.args.after as string | undefined | null;
    if (after) {
      ctx.progress({ step: 0, total: 1, label: `waiting for latch ${after}` });
      const conn = await ctx.connection();
      await new Promise<void>((resolve, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        conn.call('CountDownLatch', after, 'await', [], { init: [1] }).then(() => resolve(), reject);
      });
      ctx.progress({ step: 1, total: 1, label: `latch ${after} open` });
    }
    return ctx.args.value ?? null;
  },
};

/** Arrow type ids of the numeric columns `sum` adds (Int = 2, Float = 3). */
const NUMERIC_TYPE_IDS = new Set([2, 3]);

/**
 * `sum`: column sums of `args.data`, an Arrow table (numeric columns; others are skipped) or a 1-D
 * numeric array. Answers `{rows, sums: {column: sum}}`. The smallest kind that carries an Arrow
 * attachment through a job: what a client's data path is checked with.
 */
const sum: JobKind = {
  validate(args) {
    const data = args.data;
    if (!looksLikeTable(data) && !(ArrayBuffer.isView(data) && !(data instanceof DataView))) {
      throw new BadArgumentError(`sum(data) must be an Arrow table or a numeric array, got ${describe(data)}`);
    }
    return args;
  },
  async run(ctx) {
    const data = ctx.args.data;
    if (ArrayBuffer.isView(data)) {
      const arr = data as unknown as ArrayLike<number | bigint>;
      return { rows: arr.length, sums: { v: total(arr) } };
    }
    const table = data as ArrowTableLike;
    const fields = table.schema.fields.filter((f) => NUMERIC_TYPE_IDS.has(f.typeId));
    const sums: Record<string, number> = {};
    fields.forEach((f, i) => {
      sums[f.name] = total(table.getChild(f.name)!.toArray());
      ctx.progress({ step: i + 1, total: fields.length, label: 'columns' });
    });
    return { rows: table.numRows, sums };
  },
};

function total(values: ArrayLike<number | bigint>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += Number(values[i]);
  return s;
}

/** The kinds every node registers, by name. */
export function defaultJobKinds(): Map<string, JobKind> {
  return new Map<string, JobKind>([['echo', echo], ['sum', sum], ['ml.fit', mlFitJob]]);
}
