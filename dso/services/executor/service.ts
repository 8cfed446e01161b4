/**
 * The executor service (`$jobs`, PROTOCOL.md §11): jobs that any client, TS or Python, submits with a
 * normal call to the node, and that then run in the node's process whatever becomes of that client.
 *
 * Why in the node and not beside it: the node is the one process every client already reaches (same
 * socket, same wire, same exactly-once calls, the same permission checks as every other call), it
 * outlives its clients (a job survives the submitter's disconnect for free), and it is already what
 * every deployment starts — `crucial dso start`, the SDK's embedded node, the Python package's node
 * (bundled or from a checkout). A job does not run its heavy work on the node's event loop: its
 * handler orchestrates, and the work runs as cloud threads on crucial's workers (the local pool by
 * default), which talk to this node as ordinary clients.
 *
 * Jobs are named, registered handlers (kinds.ts), never code sent by the client: a node that forbids
 * module upload still runs them.
 */
import { randomUUID } from 'node:crypto';
import { BadArgumentError, IllegalStateError, InvalidOptionError, TimeoutError, UnknownMethodError, errorFromData, errorToData, type ErrorData } from '../../../core/protocol/errors.ts';
import { JOBS_TYPE, type JobProgress, type JobState, type JobStatus } from '../../../core/protocol/jobs.ts';
import type { Connection } from '../../../core/client/connection.ts';
import { connect } from '../../../core/client/context.ts';
import { arg, describe } from '../../registry.ts';
import { callerGone, onWithdrawn } from '../../parked.ts';
import { MAX_TIMER_MS } from '../../objects/waiters.ts';
import type { JobContext, JobKind } from './kinds.ts';

/** Options of a {@link JobService}. */
export interface JobServiceOptions {
  /** The node's address, once it listens (jobs connect back to it). */
  address: () => string;
  /** Jobs running at once; later ones queue. Default 4. */
  maxRunning?: number;
  /** How long a finished job's status and result stay readable (ms); default one hour. */
  keepMs?: number;
  /** Finished jobs kept at most (oldest dropped first); default 1000. */
  keepCount?: number;
}

interface Job {
  id: string;
  kind: string;
  handler: JobKind;
  args: Record<string, unknown>;
  state: JobState;
  progress: JobProgress | null;
  submittedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  value?: unknown;
  error: ErrorData | null;
  abort: AbortController;
  /** Callers parked in `result`: settled when the job finishes. */
  waiters: Set<() => void>;
}

function positiveInt(v: number, what: string): number {
  if (!Number.isSafeInteger(v) || v <= 0) throw new InvalidOptionError(`${what} must be a positive integer`);
  return v;
}

const METHODS = new Set(['submit', 'status', 'result', 'cancel', 'list', 'kinds']);

/**
 * The `$jobs` object of a node: submit / status / result / cancel / list / kinds (PROTOCOL.md §11.1).
 * @internal The node owns one; clients reach it through `JobClient` (TS) or `crucial.jobs` (Python).
 */
export class JobService {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private readonly maxRunning: number;
  private readonly keepMs: number;
  private readonly keepCount: number;
  private conn: Promise<Connection> | null = null;
  private closed = false;

  constructor(private readonly kindsByName: ReadonlyMap<string, JobKind>, private readonly opts: JobServiceOptions) {
    this.maxRunning = positiveInt(opts.maxRunning ?? 4, 'options.jobs.maxRunning');
    this.keepMs = positiveInt(opts.keepMs ?? 3_600_000, 'options.jobs.keepMs');
    this.keepCount = positiveInt(opts.keepCount ?? 1000, 'options.jobs.keepCount');
  }

  /**
   * Runs one wire call on the service.
   * @throws {UnknownMethodError} if `method` is not one of the service's
   * @throws {BadArgumentError} as the method says
   */
  invoke(method: string, args: unknown[]): unknown {
    if (!METHODS.has(method)) throw new UnknownMethodError(`${JOBS_TYPE} has no method "${method}"`);
    switch (method) {
      case 'submit': return this.submit(args[0], args[1]);
      case 'status': return this.status(args[0]);
      case 'result': return this.result(args[0], args[1]);
      case 'cancel': return this.cancel(args[0]);
      case 'list': return [...this.jobs.values()].map(statusOf);
      default: return [...this.kindsByName.keys()];
    }
  }

  /** Validates the arguments against the kind (a bad one fails the submit, not the job later) and queues the job. */
  submit(kind: unknown, args: unknown): string {
    const name = arg.string(kind, 'submit(kind)');
    const handler = this.kindsByName.get(name);
    if (!handler) throw new BadArgumentError(`unknown job kind "${name}"; this node runs: ${[...this.kindsByName.keys()].join(', ')}`);
    if (args !== undefined && args !== null && (typeof args !== 'object' || Array.isArray(args) || ArrayBuffer.isView(args))) {
      throw new BadArgumentError(`submit(args) must be a map of named arguments, got ${describe(args)}`);
    }
    if (this.closed) throw new IllegalStateError('the node is closing: no new jobs');
    const checked = handler.validate((args ?? {}) as Record<string, unknown>);
    this.prune();
    const job: Job = {
      id: randomUUID(), kind: name, handler, args: checked, state: 'queued', progress: null,
      submittedAt: Date.now(), startedAt: null, finishedAt: null, error: null, abort: new AbortController(), waiters: new Set(),
    };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    this.pump();
    return job.id;
  }

  /** The job's state, progress, times and error. */
  status(id: unknown): JobStatus {
    return statusOf(this.get(id));
  }

  /**
   * The job's result once it finishes, parking the call until then; the job's error if it failed.
   * `timeoutMs` bounds the wait (ERR_TIMEOUT; the job keeps running). A parked call whose caller's
   * link goes is withdrawn (parked.ts): the job keeps running, only the wait ends.
   */
  result(id: unknown, timeoutMs?: unknown): unknown {
    const job = this.get(id);
    const timeout = arg.timeout(timeoutMs, 'result(timeoutMs)');
    if (isFinished(job.state)) return outcome(job);
    if (timeout === 0) throw new TimeoutError(`job ${job.id} is ${job.state}`);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        job.waiters.delete(done);
        try { resolve(outcome(job)); } catch (err) { reject(err); }
      };
      job.waiters.add(done);
      // Without this a job that never finishes would keep every disconnected caller's waiter (and
      // its running dedup slot, so the client's log is never swept) for as long as the node runs.
      onWithdrawn(() => {
        if (!job.waiters.delete(done)) return;
        clearTimeout(timer);
        reject(callerGone());
      });
      // Past 2^31-1 ms Node would fire after 1 ms: a timeout that long means wait for ever (as waiters.ts).
      if (timeout !== undefined && timeout <= MAX_TIMER_MS) {
        timer = setTimeout(() => {
          job.waiters.delete(done);
          reject(new TimeoutError(`job ${job.id} did not finish within ${timeout} ms (it is ${job.state}; it keeps running)`));
        }, timeout);
      }
    });
  }

  /**
   * Cancels a queued or running job: true if it was not finished. A running job's handler is told
   * through its AbortSignal; whatever it still computes is discarded (an `ml.fit` publishes no model).
   */
  cancel(id: unknown): boolean {
    const job = this.get(id);
    if (isFinished(job.state)) return false;
    const i = this.queue.indexOf(job);
    if (i >= 0) this.queue.splice(i, 1);
    job.abort.abort(new IllegalStateError(`job ${job.id} was cancelled`));
    this.finish(job, 'cancelled', undefined, errorToData(new IllegalStateError(`job ${job.id} was cancelled`)));
    return true;
  }

  /** Stops starting jobs and aborts the running ones (the node is closing). */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.jobs.values()) if (!isFinished(job.state)) this.cancel(job.id);
    const conn = this.conn;
    this.conn = null;
    if (conn) await (await conn.catch(() => null))?.close();
  }

  private get(id: unknown): Job {
    const key = arg.string(id, 'job id');
    const job = this.jobs.get(key);
    if (!job) throw new BadArgumentError(`no job "${key}" on this node (unknown, or finished more than ${this.keepMs} ms ago)`);
    return job;
  }

  private pump(): void {
    while (this.running < this.maxRunning && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.running++;
      job.state = 'running';
      job.startedAt = Date.now();
      const ctx: JobContext = {
        id: job.id,
        args: job.args,
        signal: job.abort.signal,
        dso: this.opts.address(),
        progress: (p) => { if (job.state === 'running') job.progress = { ...p }; },
        connection: () => this.connection(),
      };
      // A handler that throws synchronously fails its job, not the node.
      Promise.resolve().then(() => job.handler.run(ctx)).then(
        (value) => { if (job.state === 'running') this.finish(job, 'succeeded', value, null); },
        (err) => { if (job.state === 'running') this.finish(job, 'failed', undefined, errorToData(err)); },
      ).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private finish(job: Job, state: JobState, value: unknown, error: ErrorData | null): void {
    // The arguments may hold a whole training set: kept for an hour with the status, they would pin it.
    job.args = {};
    job.state = state;
    job.value = value;
    job.error = error;
    job.finishedAt = Date.now();
    for (const w of [...job.waiters]) w();
  }

  /** One connection back to this node, shared by the jobs that call objects on it. */
  private connection(): Promise<Connection> {
    if (!this.conn) {
      this.conn = Promise.resolve(connect(this.opts.address()));
    }
    return this.conn;
  }

  /** Drops finished jobs past their keep time, and the oldest finished ones past the keep count. */
  private prune(): void {
    const now = Date.now();
    const finished = [...this.jobs.values()].filter((j) => isFinished(j.state));
    const excess = finished.length - this.keepCount;
    finished.forEach((j, i) => {
      if (i < excess || now - j.finishedAt! > this.keepMs) this.jobs.delete(j.id);
    });
  }
}

function isFinished(state: JobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}

function outcome(job: Job): unknown {
  if (job.state === 'succeeded') return job.value ?? null;
  throw errorFromData(job.error!);
}

function statusOf(job: Job): JobStatus {
  return {
    id: job.id, kind: job.kind, state: job.state, progress: job.progress,
    submittedAt: job.submittedAt, startedAt: job.startedAt, finishedAt: job.finishedAt, error: job.error,
  };
}
