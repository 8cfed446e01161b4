// Type-checked (tsc --noEmit, strict) against the .d.ts files the package ships; never run.
import {
  AtomicLong, AtomicMap, CloudThread, CrucialError, CyclicBarrier, ErrorCode, ServerlessExecutorService,
  Serializable, Shared, shared, shutdown, withCaptures, type TaskRunner,
} from 'crucial';
import { PHashMap } from 'crucial/pmem';

@Serializable()
export class Worker {
  @Shared({ key: 'counter' }) counter = new AtomicLong(0);
  async run(): Promise<void> {
    const total: bigint = await this.counter.addAndGet(1);
    void total;
  }
}

@Shared()
export class Ledger {
  entries: string[] = [];
  add(e: string): number { this.entries.push(e); return this.entries.length; }
}

// The README's form without decorator syntax (plain JS, Node's type stripping) type-checks as is.
export class Plain { run(): number { return 1; } }
Serializable()(Plain, { kind: 'class', name: 'Plain' });
export class PlainLedger { add(e: string): number { return e.length; } }
Shared({ module: import.meta.url })(PlainLedger, { kind: 'class', name: 'PlainLedger' });

export async function main(runner?: TaskRunner): Promise<number> {
  const t = new CloudThread(new Worker());
  t.start();
  await t.join();
  const se = new ServerlessExecutorService(runner ? { runner } : {});
  const squares: number[] = await se.invokeAll([1, 2, 3].map((x) => withCaptures(() => x * x, { x })));
  const [n, s]: [number, string] = await se.invokeAll([() => 1, async () => 'a'] as const);
  const m = new AtomicMap<string, number>('m');
  await m.put('a', 1);
  const ledger = shared(Ledger, 'ledger');
  const count: number = await ledger.add('x');
  await new CyclicBarrier('b', 1).await();
  try { await new AtomicLong('x').get(); } catch (e) { if (e instanceof CrucialError && e.code === ErrorCode.TIMEOUT) return -1; }
  void PHashMap;
  await shutdown();
  return squares.length + n + s.length + count;
}
