/**
 * The synchronisation toolkit the Santa Claus solution is written against, in two implementations
 * with the same code on top: `localKit()` holds the objects in this process (the "plain threads"
 * flavour, java.util.concurrent-style monitors built on promises), and `dsoKit(prefix)` hosts them
 * on the DSO node as crucial's Semaphore, CyclicBarrier and AtomicLong.
 * Kept free of top-level side effects: cloud threads import it.
 */
import { AtomicLong, CyclicBarrier, Semaphore } from 'crucial';

export interface KitSemaphore {
  acquire(): Promise<void>;
  /** Waits up to `timeoutMs` for a permit; false if none came. */
  tryAcquire(timeoutMs: number): Promise<boolean>;
  release(): Promise<void>;
}

export interface KitBarrier {
  /** Rejects with a `code` of ERR_BROKEN_BARRIER or ERR_TIMEOUT as java.util.concurrent does. */
  await(timeoutMs?: number): Promise<number>;
  reset(): Promise<void>;
}

export interface KitLong {
  get(): Promise<number>;
  set(v: number): Promise<void>;
  incrementAndGet(): Promise<number>;
  decrementAndGet(): Promise<number>;
  getAndSet(v: number): Promise<number>;
}

/** Where the Santa Claus objects live; the same name always gives the same object. */
export interface Kit {
  semaphore(name: string, permits: number): KitSemaphore;
  barrier(name: string, parties: number): KitBarrier;
  long(name: string): KitLong;
}

/** True for the error a broken or timed-out barrier wait rejects with, on either kit. */
export function isBrokenWait(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ERR_BROKEN_BARRIER' || code === 'ERR_TIMEOUT';
}

function memo<T>(make: (name: string) => T): (name: string) => T {
  const cache = new Map<string, T>();
  return (name) => {
    let v = cache.get(name);
    if (v === undefined) cache.set(name, (v = make(name)));
    return v;
  };
}

// ---- DSO-hosted objects ----------------------------------------------------------------------

/** Objects on the DSO node, keyed `<prefix>.<name>` so runs do not see each other's state. */
export function dsoKit(prefix: string): Kit {
  const sems = new Map<string, KitSemaphore>();
  const bars = new Map<string, KitBarrier>();
  const longs = memo<KitLong>((name) => {
    const l = new AtomicLong(`${prefix}.${name}`, 0);
    return {
      get: async () => Number(await l.get()),
      set: (v) => l.set(v),
      incrementAndGet: async () => Number(await l.incrementAndGet()),
      decrementAndGet: async () => Number(await l.decrementAndGet()),
      getAndSet: async (v) => Number(await l.getAndSet(v)),
    };
  });
  return {
    semaphore(name, permits) {
      let s = sems.get(name);
      if (!s) {
        const sem = new Semaphore(`${prefix}.${name}`, permits);
        s = { acquire: () => sem.acquire(), tryAcquire: (t) => sem.tryAcquire(1, t), release: () => sem.release() };
        sems.set(name, s);
      }
      return s;
    },
    barrier(name, parties) {
      let b = bars.get(name);
      if (!b) {
        const bar = new CyclicBarrier(`${prefix}.${name}`, parties);
        b = { await: (t) => bar.await(t), reset: () => bar.reset() };
        bars.set(name, b);
      }
      return b;
    },
    long: longs,
  };
}

// ---- In-process objects ----------------------------------------------------------------------

class SyncError extends Error {
  constructor(readonly code: 'ERR_BROKEN_BARRIER' | 'ERR_TIMEOUT', message: string) {
    super(message);
    this.name = code === 'ERR_TIMEOUT' ? 'TimeoutError' : 'BrokenBarrierError';
  }
}

/** Fair counting semaphore. */
class LocalSemaphore implements KitSemaphore {
  private readonly queue: { wake(): void }[] = [];
  constructor(private permits: number) {}

  async acquire(): Promise<void> {
    if (this.permits > 0 && this.queue.length === 0) { this.permits--; return; }
    await new Promise<void>((resolve) => this.queue.push({ wake: resolve }));
  }

  async tryAcquire(timeoutMs: number): Promise<boolean> {
    if (this.permits > 0 && this.queue.length === 0) { this.permits--; return true; }
    return new Promise<boolean>((resolve) => {
      const waiter = { wake: () => { clearTimeout(timer); resolve(true); } };
      const timer = setTimeout(() => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        resolve(false);
      }, timeoutMs);
      this.queue.push(waiter);
    });
  }

  async release(): Promise<void> {
    const next = this.queue.shift();
    if (next) next.wake(); // the permit passes straight to the first waiter
    else this.permits++;
  }
}

/** java.util.concurrent.CyclicBarrier: a timeout or reset breaks the current generation. */
class LocalBarrier implements KitBarrier {
  private waiting: { resolve(i: number): void; reject(e: Error): void; timer?: NodeJS.Timeout }[] = [];
  private broken = false;
  constructor(private readonly parties: number) {}

  async await(timeoutMs?: number): Promise<number> {
    if (this.broken) throw new SyncError('ERR_BROKEN_BARRIER', 'barrier is broken');
    const index = this.parties - 1 - this.waiting.length;
    if (index === 0) {
      const gen = this.waiting;
      this.waiting = [];
      gen.forEach((w, i) => { clearTimeout(w.timer); w.resolve(this.parties - 1 - i); });
      return 0;
    }
    return new Promise<number>((resolve, reject) => {
      const w: (typeof this.waiting)[number] = { resolve, reject };
      if (timeoutMs !== undefined) {
        w.timer = setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(w), 1);
          this.breakBarrier();
          reject(new SyncError('ERR_TIMEOUT', `barrier wait timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      this.waiting.push(w);
    });
  }

  async reset(): Promise<void> {
    this.breakBarrier();
    this.broken = false;
  }

  private breakBarrier(): void {
    this.broken = true;
    const gen = this.waiting;
    this.waiting = [];
    for (const w of gen) { clearTimeout(w.timer); w.reject(new SyncError('ERR_BROKEN_BARRIER', 'barrier broken while waiting')); }
  }
}

class LocalLong implements KitLong {
  private v = 0;
  async get() { return this.v; }
  async set(v: number) { this.v = v; }
  async incrementAndGet() { return ++this.v; }
  async decrementAndGet() { return --this.v; }
  async getAndSet(v: number) { const old = this.v; this.v = v; return old; }
}

/** Objects in this process, for entities that are plain async tasks of one program. */
export function localKit(): Kit {
  const sems = new Map<string, LocalSemaphore>();
  const bars = new Map<string, LocalBarrier>();
  return {
    semaphore(name, permits) {
      let s = sems.get(name);
      if (!s) sems.set(name, (s = new LocalSemaphore(permits)));
      return s;
    },
    barrier(name, parties) {
      let b = bars.get(name);
      if (!b) bars.set(name, (b = new LocalBarrier(parties)));
      return b;
    },
    long: memo(() => new LocalLong()),
  };
}
