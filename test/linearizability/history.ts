/**
 * Records one random concurrent history against a DSO node: several clients (connections), each
 * running a few sequential workers, call random methods on a few objects of random built-in types;
 * some calls are resent with the same (client, seq), and must get the first reply back and take
 * effect once. The history is written as JSON lines for the Go checker (checker/history.go).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { TOUCH } from '../../core/protocol/wire/protocol.ts';
import { Rng } from './rng.ts';
import { RawClient, now, type Outcome } from './raw-client.ts';
import { toJson, type Json } from './wire-json.ts';
import { TYPES, WORKLOADS } from './workload.ts';

/**
 * How a call is resent: `twice` sends it twice at once; `after-reply` sends it again once the
 * reply came (a reply taken for lost); `other-socket` resends it after the reply from a second
 * socket with the same client id (a client that reconnected).
 */
export type ResendMode = 'twice' | 'after-reply' | 'other-socket';
const RESEND_MODES: readonly ResendMode[] = ['twice', 'after-reply', 'other-socket'];

export interface HistoryOptions {
  /** The node, `tcp://host:port`. */
  address: string;
  seed: number;
  /** Where the history file goes. */
  dir: string;
  /** Connections (default 3). */
  clients?: number;
  /** Sequential workers per connection, each one porcupine client (default 2). */
  workersPerClient?: number;
  /** Calls per worker (default 30). */
  opsPerWorker?: number;
  /** Object types in the history (default 4), one or two objects each. */
  types?: number;
  /** Share of calls resent (default 0.15). */
  resendRate?: number;
}

export interface HistoryResult {
  seed: number;
  file: string;
  ops: number;
  resends: number;
  /** Calls per object type. */
  byType: Record<string, number>;
  /** Resent calls whose second reply differed from the first. */
  resendMismatches: string[];
  ms: number;
}

interface ObjectDecl { key: string; type: string; init: unknown[] }

export async function runHistory(o: HistoryOptions): Promise<HistoryResult> {
  const started = performance.now();
  const r = new Rng(o.seed);
  const objects = pickObjects(r, o.seed, o.types ?? 4);
  const clients = Array.from({ length: o.clients ?? 3 }, () => new RawClient(o.address));
  const lines: string[] = [];
  const result: HistoryResult = { seed: o.seed, file: join(o.dir, `history-${o.seed}.jsonl`), ops: 0, resends: 0, byType: {}, resendMismatches: [], ms: 0 };
  try {
    for (const obj of objects) {
      // Created before the history starts, fresh even if a replayed seed reuses the key.
      const { seq, frames } = clients[0]!.encode(obj.type, obj.key, TOUCH, [], { init: obj.init, forceNew: true });
      clients[0]!.send(frames);
      const { outcome } = await clients[0]!.reply(seq);
      if ('err' in outcome) throw new Error(`creating ${obj.type} ${obj.key} failed: ${outcome.err}`);
    }
    const start = now();
    const workers = clients.length * (o.workersPerClient ?? 2);
    await Promise.all(Array.from({ length: workers }, async (_, w) => {
      const client = clients[w % clients.length]!;
      const wr = new Rng(o.seed, w + 1);
      for (let i = 0; i < (o.opsPerWorker ?? 30); i++) {
        const obj = wr.pick(objects);
        const spec = WORKLOADS[obj.type]!;
        const { method, args } = spec.call(wr);
        const modes = spec.parks?.includes(method) ? RESEND_MODES.filter((m) => m !== 'twice') : RESEND_MODES;
        const resend = wr.chance(o.resendRate ?? 0.15) ? wr.pick(modes) : undefined;
        const a = toJson(args);
        const { t0, t1, first, last } = await invoke(client, obj, method, args, resend);
        if (resend) {
          result.resends++;
          if (!isDeepStrictEqual(first, last)) {
            result.resendMismatches.push(`${obj.key}.${method}(${JSON.stringify(a)}) resent (${resend}): first ${JSON.stringify(first)}, then ${JSON.stringify(last)}`);
          }
        }
        const line: Record<string, Json> = { c: w, k: obj.key, m: method, a, t0: t0 - start, t1: t1 - start, ...first };
        if (resend) line.r = resend;
        lines.push(JSON.stringify(line));
        result.ops++;
        result.byType[obj.type] = (result.byType[obj.type] ?? 0) + 1;
      }
    }));
  } finally {
    for (const c of clients) c.close();
  }
  const header = { seed: String(o.seed), clients: clients.length * (o.workersPerClient ?? 2), objects: objects.map((x) => ({ ...x, init: toJson(x.init) })) };
  await writeFile(result.file, [JSON.stringify(header), ...lines].join('\n') + '\n');
  result.ms = performance.now() - started;
  return result;
}

/** `types` distinct types, one or two objects each, with their constructor arguments. */
function pickObjects(r: Rng, seed: number, types: number): ObjectDecl[] {
  const pool = [...TYPES];
  const out: ObjectDecl[] = [];
  for (let t = 0; t < Math.min(types, TYPES.length); t++) {
    const type = pool.splice(r.int(0, pool.length - 1), 1)[0]!;
    for (let n = r.int(1, 2); n > 0; n--) out.push({ key: `lin-${seed}/${type}-${n}`, type, init: WORKLOADS[type]!.init(r) });
  }
  return out;
}

async function invoke(client: RawClient, obj: ObjectDecl, method: string, args: unknown[], resend?: ResendMode): Promise<{ t0: number; t1: number; first: Outcome; last: Outcome }> {
  const { seq, frames } = client.encode(obj.type, obj.key, method, args);
  const t0 = now();
  client.send(frames);
  if (resend === 'twice') client.send(frames);
  const first = await client.reply(seq);
  let last = first;
  if (resend === 'twice') last = await client.reply(seq);
  else if (resend) {
    client.send(frames, resend === 'other-socket' ? 1 : 0);
    last = await client.reply(seq);
  }
  // A resent call spans from its first send to its last reply: an effect applied twice falls
  // inside that interval, where the model finds it.
  return { t0, t1: last.at, first: first.outcome, last: last.outcome };
}
