/**
 * The heap's own operations under the crash-image harness: creation, roots, hash and sorted maps
 * (puts that resize, deletes, byte patches), failure-atomic blocks (committed and aborted), Float64
 * arrays and matrices, byte blobs, persistent-class objects (transfers, copy-on-write strings,
 * references to fresh objects), frees and clean reopens. A plain JavaScript model says what each
 * operation leaves; the recovered image is dumped in the same canonical form.
 */
import { createHash } from "node:crypto";
import { Heap, PBytes, PFloat64Array, PFloat64Matrix, PHashMap, PSortedMap, PString, persistentClass } from "../../../pmem/index.ts";
import type { PInstance } from "../../../pmem/index.ts";
import type { PowerFail, Rng, Step, Workload } from "../../../pmem/testing/crash-images.ts";

const Account = persistentClass("CrashImageAccount", { balance: "f64", owner: "string", next: "ref" });
type Acct = PInstance<(typeof Account)["schema"]>;

type Val = number | string | Uint8Array;
interface Model {
  map?: Map<string, Val>;
  sorted?: Map<string, string>;
  vec?: number[];
  mx?: number[];
  blob?: Uint8Array;
  a?: { balance: number; owner: string; next: string | null };
  b?: { balance: number; owner: string; next: string | null };
  tmp?: string;
}

const KEYS = 12;
const VEC = 16;
const ROWS = 4;
const COLS = 8;
const BLOB = 6000;

const digest = (b: Uint8Array): string => `bytes ${b.length} ${createHash("sha1").update(b).digest("hex").slice(0, 16)}`;
const val = (v: Val): unknown => (v instanceof Uint8Array ? digest(v) : typeof v === "number" ? { n: v } : v);
const sortedObj = (m: Map<string, unknown>): Record<string, unknown> =>
  Object.fromEntries([...m].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)));

/** The canonical form both the model and a recovered heap are compared in. */
function canon(m: Model): string {
  const out: Record<string, unknown> = {};
  if (m.a) out.a = m.a;
  if (m.b) out.b = m.b;
  if (m.blob) out.blob = digest(m.blob);
  if (m.map) out.map = sortedObj(new Map([...m.map].map(([k, v]) => [k, val(v)])));
  if (m.mx) out.mx = m.mx;
  if (m.sorted) out.sorted = sortedObj(m.sorted);
  if (m.tmp !== undefined) out.tmp = m.tmp;
  if (m.vec) out.vec = m.vec;
  return JSON.stringify(out);
}

function clone(m: Model): Model {
  return {
    map: m.map && new Map(m.map),
    sorted: m.sorted && new Map(m.sorted),
    vec: m.vec?.slice(),
    mx: m.mx?.slice(),
    blob: m.blob?.slice(),
    a: m.a && { ...m.a },
    b: m.b && { ...m.b },
    tmp: m.tmp,
  };
}

/** Reads a heap back into the model's shape (throws if a root holds the wrong kind of object). */
function dump(h: Heap): Model {
  const m: Model = {};
  const acct = (o: Acct) => {
    const n = o.next as Acct | null;
    return { balance: o.balance, owner: o.owner, next: n === null ? null : `${n.owner}|${n.balance}` };
  };
  for (const name of h.rootNames()) {
    const o = h.root(name)!;
    if (name === "map") {
      m.map = new Map<string, Val>();
      for (const [k, v] of (o as PHashMap).entries()) m.map.set(k, v instanceof Uint8Array ? v.slice() : (v as Val));
    } else if (name === "sorted") {
      if (!(o instanceof PSortedMap)) throw new Error("root sorted is not a PSortedMap");
      m.sorted = new Map([...o.entries()].map(([k, v]) => [k, v as string]));
    } else if (name === "vec") m.vec = [...(o as PFloat64Array).view()];
    else if (name === "mx") m.mx = [...(o as PFloat64Matrix).view()];
    else if (name === "blob") m.blob = (o as PBytes).view().slice();
    else if (name === "a" || name === "b") m[name] = acct(o as Acct);
    else if (name === "tmp") m.tmp = (o as PString).toString();
    else throw new Error(`unexpected root ${name}`);
  }
  return m;
}

/** Opens a (crash image of a) heap, checks it, proves it is still usable, returns its canonical state. */
export function observeHeap(path: string): string {
  const h = Heap.openSync(path, { create: false });
  try {
    const state = canon(dump(h));
    for (const name of ["map", "sorted"]) {
      const m = h.root<PHashMap>(name);
      if (m !== undefined && m.size !== [...m.keys()].length) throw new Error(`${name}.size is ${m.size} but it holds ${[...m.keys()].length} entries`);
    }
    const errors = h.check().errors;
    if (errors.length > 0) throw new Error(`allocator inconsistent after recovery: ${errors.join("; ")}`);
    h.atomic(() => h.setRoot("__probe", PBytes.create(h, new Uint8Array(200).fill(7))));
    const p = h.root("__probe")!;
    h.atomic(() => {
      h.setRoot("__probe", null);
      h.free(p);
    });
    const again = h.check().errors;
    if (again.length > 0) throw new Error(`allocator inconsistent after a probe allocation: ${again.join("; ")}`);
    return state;
  } finally {
    h.close();
  }
}

/** A random sequence of `ops` heap operations (after creating the heap and its roots). */
export function heapWorkload(ops: number, path = "/crash/heap.pmem"): Workload {
  return {
    name: "heap",
    path,
    observe: async (p) => observeHeap(p),
    async run(step: Step, rng: Rng, powerFail: PowerFail) {
      let heap!: Heap;
      let m: Model = {};
      /** The model before the last operation: where a power failure in its middle may land. */
      let prev: Model = {};
      /** Whether the last operation was a random one (rewinding a set-up operation would leave roots missing). */
      let lastRandom = false;
      let inLoop = false;
      const key = (): string => `k${rng.int(KEYS)}`;
      const value = (): Val => {
        const u = rng.next();
        if (u < 0.3) return rng.int(1e6) / 8;
        if (u < 0.5) return `s${rng.int(1e9)}`.repeat(1 + rng.int(4));
        return rng.bytes(1 + rng.int(u < 0.9 ? 300 : 5000));
      };
      /** Runs `fn` as one operation whose effect on the model is `change`. */
      const op = async (label: string, change: (next: Model) => void, fn: () => void): Promise<void> => {
        const next = clone(m);
        change(next);
        await step(label, canon(next), fn);
        prev = m;
        m = next;
        lastRandom = inLoop;
      };
      const map = (): PHashMap => heap.root<PHashMap>("map")!;
      const acct = (n: "a" | "b"): Acct => heap.root<Acct>(n)!;

      await op("create the heap", () => {}, () => {
        heap = Heap.openSync(path, { size: 384 << 10, logSize: 16 << 10 });
      });
      await op("root a hash map", (n) => (n.map = new Map()), () => heap.setRoot("map", PHashMap.create(heap, 4)));
      await op("root a sorted map", (n) => (n.sorted = new Map()), () => heap.setRoot("sorted", PSortedMap.create(heap)));
      const vec0 = Array.from({ length: VEC }, (_, i) => i);
      await op("root a Float64Array", (n) => (n.vec = vec0.slice()), () => heap.setRoot("vec", PFloat64Array.create(heap, vec0)));
      const mx0 = Array.from({ length: ROWS * COLS }, (_, i) => -i);
      await op("root a matrix", (n) => (n.mx = mx0.slice()), () => heap.setRoot("mx", PFloat64Matrix.create(heap, ROWS, COLS, mx0)));
      const blob0 = rng.bytes(BLOB);
      await op("root a byte blob", (n) => (n.blob = blob0.slice()), () => heap.setRoot("blob", PBytes.create(heap, blob0)));
      await op("root two accounts", (n) => {
        n.a = { balance: 100, owner: "alice", next: null };
        n.b = { balance: 100, owner: "bob", next: null };
      }, () => heap.atomic(() => {
        heap.setRoot("a", Account.create(heap, { balance: 100, owner: "alice" }));
        heap.setRoot("b", Account.create(heap, { balance: 100, owner: "bob" }));
      }));

      inLoop = true;
      for (let i = 0; i < ops; i++) {
        // One power failure at least, half-way; then about one operation in 18.
        const u = i === ops >> 1 ? 17 : rng.int(18);
        const k = key();
        if (u <= 2) {
          const v = value();
          const cur = m.map!.get(k);
          const label = `put ${k} (${typeof v === "number" ? "number" : typeof v === "string" ? "string" : `${(v as Uint8Array).length} bytes`}${typeof cur === typeof v && typeof v === "number" ? ", in place" : ""})`;
          await op(label, (n) => n.map!.set(k, v), () => map().put(k, v));
          if (typeof v === "number" && rng.next() < 0.5) {
            // Straight after: an in-place store into the entry the put just linked in one flush,
            // while recovery may still check that entry against its seal (types/phashmap.ts).
            const w = rng.int(1e6) / 8;
            await op(`put ${k} (number, in place, right after)`, (n) => n.map!.set(k, w), () => map().put(k, w));
          }
        } else if (u === 3) {
          await op(`delete ${k}`, (n) => n.map!.delete(k), () => map().delete(k));
        } else if (u === 4) {
          const cur = m.map!.get(k);
          if (!(cur instanceof Uint8Array)) continue;
          const off = rng.int(cur.length);
          const data = rng.bytes(1 + rng.int(Math.min(64, cur.length - off)));
          await op(`patch ${data.length} bytes of ${k} at ${off}`, (n) => {
            const b = (n.map!.get(k) as Uint8Array).slice();
            b.set(data, off);
            n.map!.set(k, b);
          }, () => map().patchBytes(k, off, data));
        } else if (u === 5) {
          const k2 = key();
          const v = value();
          const s = `v${rng.int(1000)}`;
          await op(`atomic: put ${k}, delete ${k2}, sorted put ${k}`, (n) => {
            n.map!.set(k, v);
            n.map!.delete(k2);
            n.sorted!.set(k, s);
          }, () => heap.atomic(() => {
            map().put(k, v);
            map().delete(k2);
            heap.root<PSortedMap>("sorted")!.put(k, s);
          }));
        } else if (u === 6) {
          await op("aborted atomic block (put, vector set, new object, then throw)", () => {}, () => {
            try {
              heap.atomic(() => {
                map().put(k, value());
                heap.root<PFloat64Array>("vec")!.set(0, -1);
                Account.create(heap, { owner: "ghost" });
                throw new Error("abort");
              });
            } catch (err) {
              if ((err as Error).message !== "abort") throw err;
            }
          });
        } else if (u === 7) {
          const s = `v${rng.int(1000)}`;
          if (rng.next() < 0.7) await op(`sorted put ${k}`, (n) => n.sorted!.set(k, s), () => heap.root<PSortedMap>("sorted")!.put(k, s));
          else await op(`sorted delete ${k}`, (n) => n.sorted!.delete(k), () => heap.root<PSortedMap>("sorted")!.delete(k));
        } else if (u === 8) {
          const idx = [rng.int(VEC), rng.int(VEC), rng.int(VEC)];
          const vs = idx.map(() => rng.int(1e6) / 4);
          await op(`atomic: set 3 vector elements`, (n) => idx.forEach((j, t) => (n.vec![j] = vs[t]!)), () =>
            heap.atomic(() => idx.forEach((j, t) => heap.root<PFloat64Array>("vec")!.set(j, vs[t]!))));
        } else if (u === 9) {
          const vs = Array.from({ length: VEC }, () => rng.int(1e6));
          await op("atomic: replace the vector (create, re-root, free the old)", (n) => (n.vec = vs.slice()), () => heap.atomic(() => {
            const old = heap.root<PFloat64Array>("vec")!;
            heap.setRoot("vec", PFloat64Array.create(heap, vs));
            heap.free(old);
          }));
        } else if (u === 10) {
          const j = rng.int(VEC);
          const v = rng.int(1e6) + 0.5;
          await op(`one vector element through view() + flush`, (n) => (n.vec![j] = v), () => {
            const a = heap.root<PFloat64Array>("vec")!;
            a.view()[j] = v;
            a.touch();
            heap.flush();
          });
        } else if (u === 11) {
          const r = rng.int(ROWS), c = rng.int(COLS), r2 = rng.int(ROWS), c2 = rng.int(COLS);
          await op(`atomic: set two matrix cells`, (n) => {
            n.mx![r * COLS + c] = 1.5;
            n.mx![r2 * COLS + c2] = 2.5;
          }, () => heap.atomic(() => {
            heap.root<PFloat64Matrix>("mx")!.set(r, c, 1.5);
            heap.root<PFloat64Matrix>("mx")!.set(r2, c2, 2.5);
          }));
        } else if (u === 12) {
          const off = rng.int(BLOB - 100);
          const data = rng.bytes(1 + rng.int(100));
          await op(`blob write of ${data.length} bytes at ${off}`, (n) => n.blob!.set(data, off), () => heap.root<PBytes>("blob")!.write(off, data));
        } else if (u === 13) {
          const x = rng.int(50);
          await op(`atomic transfer of ${x}`, (n) => {
            n.a!.balance -= x;
            n.b!.balance += x;
          }, () => heap.atomic(() => {
            acct("a").balance -= x;
            acct("b").balance += x;
          }));
        } else if (u === 14) {
          const who = rng.next() < 0.5 ? "a" : "b";
          const name = `owner-${rng.int(1e6)}`;
          await op(`rename ${who}'s owner outside a block (copy-on-write string)`, (n) => (n[who]!.owner = name), () => {
            acct(who).owner = name;
          });
        } else if (u === 15) {
          const who = rng.next() < 0.5 ? "a" : "b";
          const fresh = rng.next() < 0.6;
          const balance = rng.int(1e6);
          // No string field: creating it flushes nothing, so only the link's own ordering protects it.
          await op(`link ${who}.next to ${fresh ? "a fresh object" : "nothing"} outside a block, then flush`, (n) => (n[who]!.next = fresh ? `|${balance}` : null), () => {
            acct(who).next = fresh ? Account.create(heap, { balance }) : null;
            heap.flush();
          });
        } else if (u === 17) {
          const from = lastRandom && rng.next() < 0.5 ? "last operation" : "now";
          await step(`power failure (${from}), restart and recover`, () => canon(m), async () => {
            const landed = await powerFail(from);
            if (landed === "before") m = prev;
            prev = m;
            heap = Heap.openSync(path);
          });
        } else if (u === 16) {
          if (rng.next() < 0.5) {
            const s = `tmp-${rng.int(1e6)}`.repeat(1 + rng.int(3));
            await op(`atomic: root a string (freeing the previous one)`, (n) => (n.tmp = s), () => heap.atomic(() => {
              const old = heap.root<PString>("tmp");
              heap.setRoot("tmp", PString.create(heap, s));
              if (old) heap.free(old);
            }));
          } else if (m.tmp !== undefined) {
            await op("atomic: unroot and free the string", (n) => delete n.tmp, () => heap.atomic(() => {
              const old = heap.root<PString>("tmp")!;
              heap.setRoot("tmp", null);
              heap.free(old);
            }));
          } else {
            await op("close and reopen the heap", () => {}, () => {
              heap.close();
              heap = Heap.openSync(path);
            });
          }
        }
      }
      await op("close the heap", () => {}, () => heap.close());
    },
  };
}
