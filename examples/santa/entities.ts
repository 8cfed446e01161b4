/**
 * The Santa Claus problem (Trono 1994; seed §3.4.3) with groups and gates. An entity joins its
 * group (a semaphore of `size` slots); the one that fills it tells Santa (a wake-up semaphore plus a
 * per-kind "ready" counter, so reindeer get priority). Santa and the group then pass an entry gate
 * and an exit gate (cyclic barriers of size+1) around the delivery or the consultation.
 * The code only sees a `Kit`, so the same entities run on in-process objects, on DSO objects from
 * this process, or on DSO objects from cloud threads. Kept free of top-level side effects.
 */
import { isBrokenWait, type Kit } from './sync.ts';

export interface SantaConfig {
  /** Number of elves; they come to Santa in groups of `elfGroup`. */
  elves: number;
  /** Number of reindeer; all of them are needed for a delivery. */
  reindeer: number;
  /** Deliveries (epochs) before the run ends. */
  deliveries: number;
  /** Elves per consultation (3 in the problem statement). */
  elfGroup: number;
  /** An elf works up to this long (uniformly random) before needing help, ms. */
  elfWorkMs: number;
  /** A reindeer holidays up to this long (uniformly random) between deliveries, ms. */
  vacationMs: number;
  /** A delivery takes this long, ms. */
  deliverMs: number;
  /** A consultation takes this long, ms. */
  consultMs: number;
}

export const DEFAULT_CONFIG: SantaConfig = {
  elves: 10, reindeer: 9, deliveries: 15, elfGroup: 3, elfWorkMs: 50, vacationMs: 100, deliverMs: 20, consultMs: 10,
};

/** What Santa saw: one entry per group he served, with how many members it had. */
export interface SantaReport {
  deliveries: number;
  reindeerGroups: number[];
  elfGroups: number[];
}

type Kind = 'reindeer' | 'elves';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function group(kit: Kit, kind: Kind, size: number) {
  return {
    entry: kit.semaphore(`${kind}.entry`, size),
    arrivals: kit.long(`${kind}.arrivals`),
    ready: kit.long(`${kind}.ready`),
    members: kit.long(`${kind}.members`),
    inGate: kit.barrier(`${kind}.in`, size + 1),
    outGate: kit.barrier(`${kind}.out`, size + 1),
  };
}

/** Joins a group and goes through both gates with Santa; false if the entry gate was broken (shutdown). */
async function joinGroup(kit: Kit, kind: Kind, size: number): Promise<boolean> {
  const g = group(kit, kind, size);
  const wake = kit.semaphore('santa.wake', 0);
  await g.entry.acquire();
  if (kind === 'elves' && (await kit.long('done').get()) !== 0) {
    await g.entry.release();
    return false;
  }
  if ((await g.arrivals.incrementAndGet()) % size === 0) {
    await g.ready.incrementAndGet();
    await wake.release();
  }
  try {
    await g.inGate.await();
  } catch (err) {
    if (!isBrokenWait(err)) throw err;
    await g.entry.release();
    return false;
  }
  await g.members.incrementAndGet();
  await g.outGate.await();
  await g.entry.release();
  return true;
}

export async function reindeer(kit: Kit, cfg: SantaConfig): Promise<void> {
  for (let epoch = 0; epoch < cfg.deliveries; epoch++) {
    await sleep(Math.random() * cfg.vacationMs);
    await joinGroup(kit, 'reindeer', cfg.reindeer);
  }
}

export async function elf(kit: Kit, cfg: SantaConfig): Promise<void> {
  const done = kit.long('done');
  try {
    while ((await done.get()) === 0) {
      await sleep(Math.random() * cfg.elfWorkMs);
      if (!(await joinGroup(kit, 'elves', cfg.elfGroup))) break;
    }
  } finally {
    await kit.long('elves.exited').incrementAndGet();
  }
}

/** Serves one group: entry gate, the work, exit gate; returns the group's size. */
async function serve(kit: Kit, kind: Kind, size: number, workMs: number, timeoutMs?: number): Promise<number> {
  const g = group(kit, kind, size);
  await g.inGate.await(timeoutMs);
  await sleep(workMs);
  await g.outGate.await();
  return g.members.getAndSet(0);
}

export async function santa(kit: Kit, cfg: SantaConfig): Promise<SantaReport> {
  const wake = kit.semaphore('santa.wake', 0);
  const reindeerReady = kit.long('reindeer.ready');
  const elvesReady = kit.long('elves.ready');
  const report: SantaReport = { deliveries: 0, reindeerGroups: [], elfGroups: [] };
  while (report.deliveries < cfg.deliveries) {
    await wake.acquire();
    if ((await reindeerReady.get()) > 0) {
      await reindeerReady.decrementAndGet();
      report.reindeerGroups.push(await serve(kit, 'reindeer', cfg.reindeer, cfg.deliverMs));
      report.deliveries++;
    } else {
      await elvesReady.decrementAndGet();
      report.elfGroups.push(await serve(kit, 'elves', cfg.elfGroup, cfg.consultMs));
    }
  }
  // Christmas is over: serve the elf groups that formed before they saw it, break up the partial
  // one (its members leave), and wait for every elf to go home.
  await kit.long('done').set(1);
  const poll = Math.max(5, cfg.consultMs);
  const inGate = kit.barrier('elves.in', cfg.elfGroup + 1);
  while ((await kit.long('elves.exited').get()) < cfg.elves) {
    if (await wake.tryAcquire(poll)) {
      await elvesReady.decrementAndGet();
      try {
        report.elfGroups.push(await serve(kit, 'elves', cfg.elfGroup, cfg.consultMs, poll));
        continue;
      } catch (err) {
        if (!isBrokenWait(err)) throw err;
      }
    }
    await inGate.reset();
  }
  return report;
}

/** Runs the whole cast and Santa with `spawn` (a plain async call, or a cloud thread). */
export async function runCast(
  cfg: SantaConfig,
  spawn: (role: 'santa' | 'elf' | 'reindeer', id: number) => Promise<unknown>,
): Promise<SantaReport> {
  const cast: Promise<unknown>[] = [];
  for (let i = 0; i < cfg.reindeer; i++) cast.push(spawn('reindeer', i));
  for (let i = 0; i < cfg.elves; i++) cast.push(spawn('elf', i));
  const [report] = await Promise.all([spawn('santa', 0), ...cast]);
  return report as SantaReport;
}
