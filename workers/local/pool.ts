/**
 * The embedded default runner: a piscina pool of worker threads, one per core, each able to host
 * many cloud threads at once. Cloud threads that wait (on a barrier, a future) yield their worker,
 * so a group larger than the number of cores still meets at a barrier instead of deadlocking.
 */
import { Piscina } from 'piscina';
import { availableParallelism } from 'node:os';
import { machineIdle } from './idle.ts';
import { idleSpinFromEnv, keepTurning, type Hold } from '../../core/protocol/transport/idle-spin.ts';
import { InvalidOptionError } from '../../core/protocol/errors.ts';
import type { TaskRequest, TaskResponse, TaskRunner } from '../runner.ts';
import { programTsxApi } from './ts-loader.ts';
import { WORKER_LOADED } from './messages.ts';

/**
 * Compiled (the package's dist/), workers load worker.js with plain node: no TypeScript compiler
 * at start. From the checkout's sources (under tsx) they load worker-entry.mjs, which registers tsx.
 */
const COMPILED = import.meta.url.endsWith('.js');
/**
 * A program bundled into one file (the Python package's node, scripts/bundle-python-node.mjs) has
 * neither: it sets the URL of its own bundled worker under this global symbol before the first pool.
 */
const WORKER_FILE = Symbol.for('crucial.localPool.workerFile');

/** Options of {@link LocalPool}. */
export interface LocalPoolOptions {
  /** Worker threads; default: the number of cores. */
  threads?: number;
  /** Cloud threads a worker may host concurrently; default 256. */
  tasksPerThread?: number;
  /**
   * How long, in µs, the pool's thread keeps its event loop turning for a reply after posting a task
   * while the machine is idle (see LocalPool.spinFor); 0 turns it off. Default: `CRUCIAL_IDLE_SPIN_US`, else 200.
   */
  idleSpinUs?: number;
}

/**
 * Longest wait for every worker to load before tasks go to those that have: a worker that cannot
 * load is replaced by piscina (or its error surfaces as before), and tasks must not wait on it forever.
 */
const LOAD_WAIT_MS = 10_000;

export { idleSpinFromEnv };

/**
 * The embedded default {@link TaskRunner}: a piscina pool of worker threads, each hosting many
 * cloud threads at once.
 * @throws {InvalidOptionError} from the constructor if `threads` or `tasksPerThread` is not a positive integer
 */
export class LocalPool implements TaskRunner {
  private readonly pool: Piscina;
  /**
   * Start gate. Tasks submitted together (in one turn of the event loop) wait until as many workers
   * as they need, up to one per worker, have loaded their modules, so they start side by side:
   * otherwise the worker that loads first starts its share while the others still load, and a
   * group meant to run together runs in turns. A lone first task waits for one worker only, which
   * is what a program's first result waits on.
   */
  private readonly threadCount: number;
  private loadedWorkers = 0;
  private gateOpen = false;
  private batch: { size: number; waiters: Array<() => void> } | null = null;
  private readonly gates: Array<{ need: number; release: () => void }> = [];
  private readonly loadTimer: NodeJS.Timeout;
  /** Replies due, and until when this thread's loop keeps turning for them (see spinFor). */
  private awaited = 0;
  /** The loop-turning hold while a reply is due (idle-spin.ts), if any. */
  private hold: Hold | null = null;
  private readonly spinMs: number;

  constructor(options: LocalPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads <= 0) throw new InvalidOptionError('options.threads must be a positive integer');
    const perThread = options.tasksPerThread ?? 256;
    if (!Number.isInteger(perThread) || perThread <= 0) throw new InvalidOptionError('options.tasksPerThread must be a positive integer');
    const spinUs = options.idleSpinUs ?? idleSpinFromEnv();
    if (typeof spinUs !== 'number' || !Number.isFinite(spinUs) || spinUs < 0) throw new InvalidOptionError('options.idleSpinUs must be a non-negative number of microseconds');
    this.spinMs = spinUs / 1000;
    this.pool = new Piscina({
      // piscina loads the CommonJS shim, which imports the worker module (see worker-shim.cjs for why).
      filename: new URL('./worker-shim.cjs', import.meta.url).href,
      workerData: {
        entry: ((globalThis as Record<symbol, unknown>)[WORKER_FILE] as string | undefined) ?? new URL(COMPILED ? './worker.js' : './worker-entry.mjs', import.meta.url).href,
        tsxApi: COMPILED ? programTsxApi() : null,
      },
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: perThread,
      idleTimeout: 30_000,
      maxQueue: 'auto',
    });
    this.threadCount = threads;
    this.pool.on('message', (m: unknown) => {
      if (m !== WORKER_LOADED) return;
      if (++this.loadedWorkers >= threads) this.openGate();
      else this.releaseReady();
    });
    // Not unref'd: tasks waiting on the gate must keep the program alive; close() opens it.
    this.loadTimer = setTimeout(() => this.openGate(), LOAD_WAIT_MS);
  }

  /** The number of worker threads running now. */
  get threads(): number { return this.pool.threads.length; }

  async run(request: TaskRequest): Promise<TaskResponse> {
    if (!this.gateOpen) await this.waitForWorkers();
    const reply = this.pool.run(request);
    if (this.spinMs > 0 && machineIdle()) this.spinFor(reply);
    return reply;
  }

  /**
   * Keeps this thread's event loop turning (setImmediate, nothing else blocked) for up to `idleSpinUs`
   * while a reply is due, instead of sleeping in epoll at once: on an idle machine the core then
   * halts, and waking it for a short task's reply took ~50 µs here (a VM without guest halt-polling),
   * half of an empty task's round trip (issue 13). Only while other processes leave CPU to spare (idle.ts): under load a
   * turning loop takes a core others need.
   */
  private spinFor(reply: Promise<unknown>): void {
    const until = performance.now() + this.spinMs;
    this.awaited++;
    const settle = () => { this.awaited--; };
    reply.then(settle, settle);
    if (this.hold) {
      this.hold.until = until;
      return;
    }
    const hold: Hold = { until, waiting: () => this.awaited > 0, ended: () => { this.hold = null; } };
    this.hold = hold;
    keepTurning(hold);
  }

  async close(): Promise<void> {
    this.openGate();
    await this.pool.close();
  }

  /** Joins this turn's batch; when the turn ends the batch waits for min(size, threads) loaded workers. */
  private waitForWorkers(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.batch) {
        const batch = { size: 0, waiters: [] as Array<() => void> };
        this.batch = batch;
        setImmediate(() => {
          this.batch = null;
          const need = Math.min(batch.size, this.threadCount);
          this.gates.push({ need, release: () => batch.waiters.forEach((w) => w()) });
          this.releaseReady();
        });
      }
      this.batch.size++;
      this.batch.waiters.push(resolve);
    });
  }

  private releaseReady(): void {
    for (let i = 0; i < this.gates.length;) {
      const g = this.gates[i]!;
      if (this.gateOpen || g.need <= this.loadedWorkers) { this.gates.splice(i, 1); g.release(); } else i++;
    }
  }

  private openGate(): void {
    if (this.gateOpen) return;
    this.gateOpen = true;
    clearTimeout(this.loadTimer);
    this.releaseReady();
  }
}
