/**
 * The DSO's persistence strategies under the crash-image harness, driven the way a node drives
 * them: an `ObjectStore` over a `PersistentStore`, calls carrying (client, seq), the first call
 * creating the object (`persistent: true`), each mutating call committed with its dedup record in
 * one failure-atomic block. Covered: scalar cells (AtomicLong/Int/Boolean/Counter), map and list
 * entries (AtomicMap, AtomicTreeMap, AtomicList, clears that rebuild aside), the matrix in place
 * (AtomicMatrix), snapshots (AtomicReference, AtomicByteArray, a user class with a Map field), a
 * stored module, removals, re-creations (forceNew), restarts and power failures. The oracle is a
 * plain in-memory twin of every object that runs the same calls with no persistence at all.
 */
import { TOUCH } from "../../../core/protocol/wire/protocol.ts";
import type { Call } from "../../../core/protocol/wire/codec.ts";
import { registerBuiltins } from "../../../dso/objects/index.ts";
import { AtomicBoolean } from "../../../dso/objects/atomic-boolean.ts";
import { AtomicByteArray } from "../../../dso/objects/atomic-byte-array.ts";
import { AtomicCounter } from "../../../dso/objects/atomic-counter.ts";
import { AtomicInt } from "../../../dso/objects/atomic-int.ts";
import { AtomicList } from "../../../dso/objects/atomic-list.ts";
import { AtomicLong } from "../../../dso/objects/atomic-long.ts";
import { AtomicMap } from "../../../dso/objects/atomic-map.ts";
import { AtomicMatrix } from "../../../dso/objects/atomic-matrix.ts";
import { AtomicReference } from "../../../dso/objects/atomic-reference.ts";
import { AtomicTreeMap } from "../../../dso/objects/atomic-tree-map.ts";
import { PersistentStore } from "../../../dso/persistence/store.ts";
import { TypeRegistry } from "../../../dso/registry.ts";
import { ObjectStore } from "../../../dso/store.ts";
import { Heap } from "../../../pmem/index.ts";
import type { PowerFail, Rng, Step, Workload } from "../../../pmem/testing/crash-images.ts";

/** A user class kept as a snapshot (no strategy of its own), with a Map field. */
export class Ledger {
  total = 0;
  tags = new Map<string, number>();
  add(tag: string, n: number): number {
    this.total += n;
    this.tags.set(tag, (this.tags.get(tag) ?? 0) + n);
    return this.total;
  }
  snapshot(): unknown {
    return { total: this.total, tags: [...this.tags] };
  }
}
const LEDGER_MODULE = "c0ffee";
const LEDGER_SOURCE = `export class Ledger { total = 0; tags = new Map(); }`;

type Obj = Record<string, (...a: unknown[]) => unknown>;

/** One hosted object: its type, constructor arguments, read-back method and a call generator. */
interface Kind {
  type: string;
  cls: new (...a: any[]) => object;
  init: unknown[];
  read: string;
  module?: string;
  call(rng: Rng, twin: Obj): [string, unknown[]];
}

const word = (rng: Rng): string => `w${rng.int(40)}`;
const wireValue = (rng: Rng): unknown => {
  const u = rng.int(5);
  if (u === 0) return rng.int(1000);
  if (u === 1) return `s${rng.int(1e6)}`.repeat(1 + rng.int(30));
  if (u === 2) return Float64Array.from({ length: 1 + rng.int(40) }, () => rng.int(100) / 4);
  if (u === 3) return { n: rng.int(100), tags: [word(rng), word(rng)] };
  return null;
};
const mapKey = (rng: Rng): string | number => (rng.next() < 0.3 ? rng.int(20) : `k${rng.int(20)}`);

const KINDS: Kind[] = [
  { type: "AtomicLong", cls: AtomicLong, init: [0n], read: "get", call: (rng) =>
    rng.pick([["addAndGet", [BigInt(rng.int(1e6) - 5e5)]], ["set", [BigInt(rng.int(1e9)) * 1_000_000_007n]], ["incrementAndGet", []], ["get", []]] as [string, unknown[]][]) },
  { type: "AtomicInt", cls: AtomicInt, init: [1], read: "get", call: (rng) => rng.pick([["addAndGet", [rng.int(2000) - 1000]], ["get", []]] as [string, unknown[]][]) },
  { type: "AtomicBoolean", cls: AtomicBoolean, init: [false], read: "get", call: (rng) => ["set", [rng.next() < 0.5]] },
  { type: "AtomicCounter", cls: AtomicCounter, init: [0], read: "tally", call: (rng) => ["increment", [1 + rng.int(9)]] },
  { type: "AtomicMap", cls: AtomicMap, init: [[["a", 1]]], read: "entries", call: (rng) => {
    const u = rng.int(20);
    if (u < 9) return ["put", [mapKey(rng), wireValue(rng)]];
    if (u < 13) return ["remove", [mapKey(rng)]];
    if (u < 18) return ["putAll", [Array.from({ length: 2 + rng.int(4) }, () => [mapKey(rng), wireValue(rng)])]];
    if (u < 19) return ["get", [mapKey(rng)]];
    return ["clear", []];
  } },
  { type: "AtomicTreeMap", cls: AtomicTreeMap, init: [[["b", 2], [3, "three"]]], read: "entries", call: (rng) => {
    const u = rng.int(10);
    if (u < 6) return ["put", [mapKey(rng), wireValue(rng)]];
    if (u < 9) return ["remove", [mapKey(rng)]];
    return ["clear", []];
  } },
  { type: "AtomicList", cls: AtomicList, init: [["x"]], read: "toArray", call: (rng, twin) => {
    const n = twin.size!() as number;
    const u = rng.int(12);
    if (u < 4 || n === 0) return ["add", [wireValue(rng)]];
    if (u < 6) return ["insert", [rng.int(n + 1), wireValue(rng)]];
    if (u < 8) return ["set", [rng.int(n), wireValue(rng)]];
    if (u < 10) return ["remove", [rng.int(n)]];
    if (u < 11) return ["addAll", [[wireValue(rng), wireValue(rng)]]];
    return ["clear", []];
  } },
  { type: "AtomicMatrix", cls: AtomicMatrix, init: [3, 5, Array.from({ length: 15 }, (_, i) => i)], read: "toArray", call: (rng) => {
    const u = rng.int(4);
    const r = rng.int(3);
    if (u === 0) return ["set", [r, rng.int(5), rng.int(1000) / 8]];
    if (u === 1) return ["add", [r, rng.int(5), rng.int(100)]];
    if (u === 2) return ["setRow", [r, Float64Array.from({ length: 5 }, () => rng.int(1000))]];
    return ["addToRow", [r, Array.from({ length: 5 }, () => rng.int(10))]];
  } },
  { type: "AtomicReference", cls: AtomicReference, init: [null], read: "get", call: (rng) => ["set", [wireValue(rng)]] },
  { type: "AtomicByteArray", cls: AtomicByteArray, init: [64], read: "getAll", call: (rng) => ["set", [rng.int(64), rng.int(256)]] },
  { type: "Ledger", cls: Ledger, init: [], read: "snapshot", module: LEDGER_MODULE, call: (rng) => ["add", [word(rng), 1 + rng.int(9)]] },
];

/** Deterministic text for any wire value (bigints, typed arrays, Maps, nested objects). */
export function canonValue(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${[...(v as unknown as ArrayLike<number>) as unknown as number[]].join(",")}]`;
  if (v instanceof Map) return `Map{${[...v].map(([k, x]) => `${canonValue(k)}=>${canonValue(x)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(canonValue).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${k}:${canonValue(o[k])}`).join(",")}}`;
}

function registry(): TypeRegistry {
  const r = new TypeRegistry();
  registerBuiltins(r);
  r.registerUser("Ledger", Ledger, LEDGER_MODULE);
  r.markModuleLoaded(LEDGER_MODULE);
  return r;
}

/** A node's object store over the persistent store at `path`, with its objects restored. */
async function startStore(path: string, sizeBytes: number): Promise<{ objects: ObjectStore; store: PersistentStore }> {
  const store = await PersistentStore.open(path, { sizeBytes });
  const objects = new ObjectStore(registry());
  objects.persistence = store;
  objects.encodeReply = (call, outcome) => [new TextEncoder().encode(`${call.seq}:${"value" in outcome ? canonValue(outcome.value) : "error"}`)];
  objects.restore(store.load());
  return { objects, store };
}

function canonState(objects: Map<string, string>, modules: string[], replies: number[]): string {
  const o = [...objects].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify({ objects: Object.fromEntries(o), modules: [...modules].sort(), replies: [...replies].sort((a, b) => a - b) });
}

const CLIENT = new TextEncoder().encode("crash-image-client");

/** A random sequence of `ops` DSO calls, creations, removals and restarts on a region of `sizeBytes`. */
export function dsoWorkload(ops: number, path = "/crash/dso.pmem", sizeBytes = 1536 << 10): Workload {
  return {
    name: "dso",
    path,
    async observe(p) {
      const h = Heap.openSync(p, { create: false });
      const errors = h.check().errors;
      h.close();
      if (errors.length > 0) throw new Error(`allocator inconsistent after recovery: ${errors.join("; ")}`);
      const { objects, store } = await startStore(p, sizeBytes);
      try {
        const state = new Map<string, string>();
        for (const k of KINDS) {
          for (const key of ["o1", "o2"]) {
            const inst = objects.instanceOf(k.type, key) as Obj | undefined;
            if (inst !== undefined) state.set(`${k.type}/${key}`, canonValue(inst[k.read]!()));
          }
        }
        const out = canonState(state, store.modulesStored().map((m) => `${m.hash}:${m.code.length}`), store.replies.load().map((r) => r.seq));
        // Still usable: a new persistent object takes a call.
        const probe: Call = { client: CLIENT, seq: 1e9, type: "AtomicLong", key: "__probe", method: "addAndGet", args: [5n], opts: { persistent: true, init: [1n] } };
        if (objects.invoke(probe) !== 6n) throw new Error("a probe call on the recovered store did not return 6");
        return out;
      } finally {
        store.close();
      }
    },
    async run(step: Step, rng: Rng, powerFail: PowerFail) {
      let node!: { objects: ObjectStore; store: PersistentStore };
      const twins = new Map<string, Obj>();
      let modules: string[] = [];
      let seq = 0;
      const expected = (): string => {
        const state = new Map<string, string>();
        for (const [id, t] of twins) state.set(id, canonValue(t[KINDS.find((k) => id.startsWith(`${k.type}/`))!.read]!()));
        return canonState(state, modules, node.store.replies.load().map((r) => r.seq));
      };
      const call = (k: Kind, key: string, method: string, args: unknown[], opts: Call["opts"] = {}): unknown =>
        node.objects.invoke({ client: CLIENT, seq: ++seq, type: k.type, key, method, args, opts: { ...opts, module: k.module } });

      await step("open the store", expected, async () => {
        node = await startStore(path, sizeBytes);
      });
      await step("store the Ledger module", () => expected(), () => {
        node.store.saveModule(LEDGER_MODULE, LEDGER_SOURCE);
        modules = [`${LEDGER_MODULE}:${LEDGER_SOURCE.length}`];
      });
      for (let i = 0; i < ops; i++) {
        const k = rng.pick(KINDS);
        const key = rng.next() < 0.7 ? "o1" : "o2";
        const id = `${k.type}/${key}`;
        const twin = twins.get(id);
        const u = rng.next();
        // One power failure mid-run whatever the draws: every seed covers a restart from a crash image.
        const forced = i === ops >> 1;
        if (twin === undefined && !forced) {
          await step(`create ${id}`, expected, () => {
            call(k, key, TOUCH, [], { persistent: true, init: structuredClone(k.init) });
            twins.set(id, new k.cls(...structuredClone(k.init)) as Obj);
          });
        } else if (!forced && u < 0.03) {
          await step(`remove ${id}`, expected, () => {
            node.objects.delete(k.type, key);
            twins.delete(id);
          });
        } else if (!forced && u < 0.06) {
          await step("restart the node (close, reopen, restore)", expected, async () => {
            node.store.close();
            node = await startStore(path, sizeBytes);
          });
        } else if (!forced && u < 0.08) {
          await step(`re-create ${id} (forceNew)`, expected, () => {
            call(k, key, TOUCH, [], { persistent: true, forceNew: true, init: structuredClone(k.init) });
            twins.set(id, new k.cls(...structuredClone(k.init)) as Obj);
          });
        } else if (forced || u < 0.11) {
          // Between calls: every acknowledged call must come back (the twins are not rewound).
          await step("power failure, restart and restore", expected, async () => {
            await powerFail("now");
            node = await startStore(path, sizeBytes);
          });
        } else if (twin !== undefined) { // always: a missing twin took the first branch unless forced
          const [method, args] = k.call(rng, twin);
          await step(`${id}.${method}(${canonValue(args).slice(0, 60)})`, expected, () => {
            twin[method]!(...structuredClone(args));
            call(k, key, method, structuredClone(args));
          });
        }
      }
      const final = expected();
      await step("close the store", final, () => node.store.close());
    },
  };
}
