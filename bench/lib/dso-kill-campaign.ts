/**
 * The DSO kill campaign: a node in a child process with `--pmem`, several writers each mutating
 * its own persistent objects of every built-in mutable type and of a persistent user class (with
 * explicit (client, seq)), kill -9 at seeded random moments, restart on the same port, every call
 * left without an answer resent byte for byte, and the state checked against an oracle: every
 * acknowledged write present, every counter exactly the number of calls made (a resent call
 * applied twice shows as one too many), every counter reply exactly the count at that call.
 *
 * Each writer has one call in flight at a time and every call is eventually answered (after a
 * kill, by its resend), so each call is applied exactly once and the oracle is exact.
 */
import { randomBytes } from 'node:crypto';
import { connect, shared } from '../../core/index.ts';
import { RawClient, kill9, startNodeProcess, stopNode, type Answer, type NodeProcess } from './dso-process.ts';
import { Ledger } from '../../test/fixtures/ledger-class.ts';
import { mulberry32 } from './rng.ts';

export interface CampaignOptions {
  /** Region file of the node. */
  pmem: string;
  kills: number;
  writers: number;
  seed: number;
  /** Writers run between kills for a random time in [minRunMs, maxRunMs]; half the kills come instead right after a random acknowledgement. */
  minRunMs?: number;
  maxRunMs?: number;
  /** Checks the whole state against the oracle every this many kills (and at the end). */
  verifyEvery?: number;
  onKill?: (done: number, r: CampaignResult) => void;
}

export interface CampaignResult {
  seed: number;
  kills: number;
  /** Calls answered OK (first answers and answers to resends). */
  acknowledged: number;
  /** Calls that had no answer when the node died, resent to the restarted node. */
  resent: number;
  /** Acknowledged writes missing from the state (the largest count any check saw: a lost write stays lost). */
  lost: number;
  /** Calls applied more than once (a counter past the number of calls, an element twice); largest count any check saw. */
  duplicates: number;
  /** Counter replies that differ from the count at that call (a duplicate or a lost write seen at once). */
  badReplies: number;
  /** Calls answered with an error (none is expected). */
  errors: number;
  /** First problems seen, for the report. */
  problems: string[];
}

/** Seeded generator (bench/lib/rng.ts). */
export const rng = mulberry32;

const P = { persistent: true };

/** One kind of write: the call for the writer's n-th write of this kind, and what its reply must be. */
interface Op {
  name: string;
  call(w: number, n: number, seq: number): [type: string, key: string, method: string, args: unknown[]];
  /** Expected reply of the n-th call (1-based) for counting ops; undefined when the reply is not checked. */
  reply?(n: number): unknown;
}

const OPS: Op[] = [
  { name: 'AtomicLong.addAndGet', call: (w) => ['AtomicLong', `w${w}-long`, 'addAndGet', [1]], reply: (n) => BigInt(n) },
  { name: 'AtomicInt.incrementAndGet', call: (w) => ['AtomicInt', `w${w}-int`, 'incrementAndGet', []], reply: (n) => n },
  { name: 'AtomicCounter.increment', call: (w) => ['AtomicCounter', `w${w}-counter`, 'increment', [1]], reply: (n) => n },
  { name: 'AtomicBoolean.set', call: (w, n) => ['AtomicBoolean', `w${w}-bool`, 'set', [n % 2 === 1]] },
  { name: 'AtomicMap.merge+put', call: (w, n) => ['AtomicMap', `w${w}-map`, 'mergeAll', [[['n', 1], [`s${n}`, n]], 'sum']] },
  { name: 'AtomicTreeMap.put', call: (w, n) => ['AtomicTreeMap', `w${w}-tree`, 'put', [n, `v${n}`]], reply: () => null },
  { name: 'AtomicList.add', call: (w, n) => ['AtomicList', `w${w}-list`, 'add', [n]], reply: () => true },
  { name: 'AtomicMatrix.add', call: (w) => ['AtomicMatrix', 'matrix', 'add', [0, w, 1]], reply: (n) => n },
  { name: 'AtomicReference.set', call: (w, n) => ['AtomicReference', `w${w}-ref`, 'set', [{ n }]] },
  { name: 'AtomicByteArray.set', call: (w, n) => ['AtomicByteArray', `w${w}-bytes`, 'set', [0, n % 128]] },
  { name: 'Ledger.add', call: (w) => ['Ledger', `w${w}-ledger`, 'add', [1]], reply: (n) => n },
  { name: 'Ledger.addLater (async)', call: (w) => ['Ledger', `w${w}-ledger-async`, 'addLater', [1]], reply: (n) => n },
];

interface Writer {
  id: number;
  client: RawClient;
  seq: number;
  /** Calls made per op (all eventually applied once). */
  count: number[];
  /** The call without an answer when the node died. */
  inflight: { op: number; n: number; seq: number; frames: Uint8Array[] } | null;
  stop: boolean;
  loop: Promise<void> | null;
}

/** Runs the campaign; never throws on a failed check, it counts it (the caller asserts on the result). */
export async function runCampaign(o: CampaignOptions): Promise<CampaignResult> {
  const rand = rng(o.seed);
  const minRun = o.minRunMs ?? 20;
  const maxRun = o.maxRunMs ?? 250;
  const verifyEvery = o.verifyEvery ?? 25;
  const r: CampaignResult = { seed: o.seed, kills: 0, acknowledged: 0, resent: 0, lost: 0, duplicates: 0, badReplies: 0, errors: 0, problems: [] };
  const problem = (s: string) => { if (r.problems.length < 20) r.problems.push(s); };

  let node: NodeProcess = await startNodeProcess(o.pmem);
  try {
    await createObjects(node.address, o.writers);
    const writers: Writer[] = Array.from({ length: o.writers }, (_, id) => ({
      id, client: new RawClient(node.address, new Uint8Array(randomBytes(8))), seq: 0, count: OPS.map(() => 0), inflight: null, stop: false, loop: null,
    }));
    // Each writer draws its operations from its own stream, so a replay makes the same calls.
    const streams = writers.map((w) => rng(o.seed * 31 + w.id + 1));
    let acksSinceResume = 0;
    let killOnAck = Infinity;
    let killNow: (() => void) | null = null;

    const check = (w: Writer, op: number, n: number, a: Answer) => {
      if (!a.ok) {
        r.errors++;
        problem(`writer ${w.id} ${OPS[op]!.name} #${n}: ${a.error.message}`);
        return;
      }
      r.acknowledged++;
      const want = OPS[op]!.reply?.(n);
      if (want !== undefined && a.value !== want) {
        r.badReplies++;
        problem(`writer ${w.id} ${OPS[op]!.name} #${n}: reply ${String(a.value)}, expected ${String(want)}`);
      }
      if (++acksSinceResume >= killOnAck) killNow?.();
    };

    const loop = async (w: Writer) => {
      const pick = streams[w.id]!;
      while (!w.stop) {
        const op = Math.floor(pick() * OPS.length);
        const n = ++w.count[op]!;
        const seq = ++w.seq;
        const [type, key, method, args] = OPS[op]!.call(w.id, n, seq);
        const frames = w.client.frames(seq, type, key, method, args);
        const a = await w.client.send(seq, frames, 60_000);
        if (!a.ok && a.error.code === 'GONE') {
          w.inflight = { op, n, seq, frames };
          return;
        }
        check(w, op, n, a);
      }
    };

    for (let k = 0; k < o.kills; k++) {
      for (const w of writers) { w.stop = false; w.loop = loop(w); }
      acksSinceResume = 0;
      // Half the kills after a random time, half right after a random acknowledgement.
      await new Promise<void>((resolve) => {
        killNow = resolve;
        if (rand() < 0.5) { killOnAck = Infinity; setTimeout(resolve, minRun + rand() * (maxRun - minRun)); }
        else killOnAck = 1 + Math.floor(rand() * 60);
      });
      killNow = null;
      killOnAck = Infinity;
      node.child.kill('SIGKILL');
      for (const w of writers) w.stop = true;
      await kill9(node);
      for (const w of writers) w.client.abort(); // calls still waiting become in flight
      await Promise.all(writers.map((w) => w.loop));
      r.kills++;
      node = await startNodeProcess(o.pmem, node.port);
      for (const w of writers) w.client.reconnect();
      // Every call without an answer is resent as it was: applied now if it was not, answered from its record if it was.
      await Promise.all(writers.map(async (w) => {
        const f = w.inflight;
        if (!f) return;
        w.inflight = null;
        r.resent++;
        check(w, f.op, f.n, await w.client.send(f.seq, f.frames, 60_000));
      }));
      if ((k + 1) % verifyEvery === 0 || k + 1 === o.kills) await verify(node.address, writers, r, problem);
      o.onKill?.(k + 1, r);
    }
    for (const w of writers) w.client.close();
  } finally {
    await stopNode(node);
  }
  return r;
}

async function createObjects(address: string, writers: number): Promise<void> {
  const c = connect(address);
  try {
    // The class's module is uploaded through an ephemeral object (see persistence-durability.test.ts).
    await shared(Ledger, 'loader', { connection: c }).state();
    await c.call('AtomicMatrix', 'matrix', 'shape', [], { ...P, init: [1, writers] });
    for (let w = 0; w < writers; w++) {
      await c.call('AtomicLong', `w${w}-long`, 'get', [], { ...P, init: [0] });
      await c.call('AtomicInt', `w${w}-int`, 'get', [], { ...P, init: [0] });
      await c.call('AtomicCounter', `w${w}-counter`, 'tally', [], { ...P, init: [0] });
      await c.call('AtomicBoolean', `w${w}-bool`, 'get', [], { ...P, init: [false] });
      await c.call('AtomicMap', `w${w}-map`, 'size', [], { ...P, init: [] });
      await c.call('AtomicTreeMap', `w${w}-tree`, 'size', [], { ...P, init: [] });
      await c.call('AtomicList', `w${w}-list`, 'size', [], { ...P, init: [] });
      await c.call('AtomicReference', `w${w}-ref`, 'get', [], { ...P, init: [null] });
      await c.call('AtomicByteArray', `w${w}-bytes`, 'length', [], { ...P, init: [4] });
      await c.call('Ledger', `w${w}-ledger`, 'state', [], P);
      await c.call('Ledger', `w${w}-ledger-async`, 'state', [], P);
    }
  } finally {
    await c.close();
  }
}

/** Reads every object and compares it with the calls made: all of them applied, each once. */
async function verify(address: string, writers: Writer[], total: CampaignResult, problem: (s: string) => void): Promise<void> {
  const c = connect(address);
  // Counted afresh on each check (the state is cumulative), kept as the largest seen.
  const r = { lost: 0, duplicates: 0 };
  const diff = (what: string, have: number, want: number) => {
    if (have > want) { r.duplicates += have - want; problem(`${what}: ${have}, expected ${want} (applied twice)`); }
    if (have < want) { r.lost += want - have; problem(`${what}: ${have}, expected ${want} (lost)`); }
  };
  try {
    const matrix = await c.call('AtomicMatrix', 'matrix', 'getRow', [0]) as Float64Array;
    for (const w of writers) {
      const n = (name: string) => w.count[OPS.findIndex((op) => op.name === name)]!;
      diff(`w${w.id} long`, Number(await c.call('AtomicLong', `w${w.id}-long`, 'get', [])), n('AtomicLong.addAndGet'));
      diff(`w${w.id} int`, await c.call('AtomicInt', `w${w.id}-int`, 'get', []) as number, n('AtomicInt.incrementAndGet'));
      diff(`w${w.id} counter`, await c.call('AtomicCounter', `w${w.id}-counter`, 'tally', []) as number, n('AtomicCounter.increment'));
      diff(`w${w.id} matrix cell`, matrix[w.id]!, n('AtomicMatrix.add'));
      diff(`w${w.id} ledger`, (await c.call('Ledger', `w${w.id}-ledger`, 'state', []) as { total: number }).total, n('Ledger.add'));
      diff(`w${w.id} async ledger`, (await c.call('Ledger', `w${w.id}-ledger-async`, 'state', []) as { total: number }).total, n('Ledger.addLater (async)'));
      // Containers: every write present, none twice.
      const map = new Map(await c.call('AtomicMap', `w${w.id}-map`, 'entries', []) as [string, number][]);
      const merges = n('AtomicMap.merge+put');
      diff(`w${w.id} map counter`, map.get('n') ?? 0, merges);
      diff(`w${w.id} map entries`, map.size - (map.has('n') ? 1 : 0), merges);
      for (let i = 1; i <= merges; i++) if (map.get(`s${i}`) !== i) { r.lost++; problem(`w${w.id} map s${i} missing`); }
      const list = await c.call('AtomicList', `w${w.id}-list`, 'toArray', []) as number[];
      const adds = n('AtomicList.add');
      diff(`w${w.id} list length`, list.length, adds);
      if (list.length === adds && list.some((v, i) => v !== i + 1)) { r.lost++; problem(`w${w.id} list out of order: ${list.slice(0, 20).join(',')}`); }
      const tree = await c.call('AtomicTreeMap', `w${w.id}-tree`, 'size', []) as number;
      diff(`w${w.id} tree size`, tree, n('AtomicTreeMap.put'));
      // Last-writer values: the last call made is the one in place.
      const sets = n('AtomicBoolean.set');
      if (sets > 0 && await c.call('AtomicBoolean', `w${w.id}-bool`, 'get', []) !== (sets % 2 === 1)) { r.lost++; problem(`w${w.id} bool is not its last write`); }
      const refs = n('AtomicReference.set');
      const ref = await c.call('AtomicReference', `w${w.id}-ref`, 'get', []) as { n: number } | null;
      if (refs > 0 && ref?.n !== refs) { r.lost++; problem(`w${w.id} reference ${JSON.stringify(ref)}, expected n=${refs}`); }
      const bytes = n('AtomicByteArray.set');
      if (bytes > 0 && await c.call('AtomicByteArray', `w${w.id}-bytes`, 'get', [0]) !== bytes % 128) { r.lost++; problem(`w${w.id} byte array is not its last write`); }
    }
  } finally {
    await c.close();
    total.lost = Math.max(total.lost, r.lost);
    total.duplicates = Math.max(total.duplicates, r.duplicates);
  }
}
