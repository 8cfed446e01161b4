/**
 * End-to-end fuzzing of a live node process: calls built from the type schema with hostile argument
 * values, most of them then mutated byte by byte (envelope and Arrow attachments), sent over one
 * ZMTP connection; now and then a raw byte stream (a mutated greeting, handshake and frames, or
 * noise) on a connection of its own. After each batch a probe call on a separate connection must be
 * answered: no answer is a hang, the process gone is a crash (each restarts the node). Replies are
 * counted by kind and code; a message without a reply is "silent" (a call parked on a barrier or a
 * semaphore, or dropped).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FrameDecoder } from '../../core/protocol/transport/zmtp/decoder.ts';
import { Flag, encodeCommand, encodeMessage, encodeMetadata, greeting } from '../../core/protocol/transport/zmtp/wire.ts';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { loadArrow } from '../../core/protocol/wire/arrow.ts';
import { Kind, ObjectRef } from '../../core/protocol/wire/protocol.ts';
import { BUILTIN_TYPES } from '../../core/protocol/schema/types.ts';
import { mulberry32 } from '../lib/rng.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));

/** What one campaign does. */
export interface FuzzOptions {
  inputs: number;
  transport: 'zmtp' | 'libzmq';
  seed: number;
  /** Inputs between liveness probes; default 2000. */
  batch?: number;
  /** One input in this many is a raw byte stream on its own connection; default 50. */
  rawEvery?: number;
  log?: (line: string) => void;
}

/** What one campaign saw. */
export interface FuzzReport {
  transport: string;
  seed: number;
  inputs: number;
  messages: number;
  rawStreams: number;
  replies: number;
  okReplies: number;
  errorReplies: number;
  /** Messages that got no reply (parked calls, messages the node could not attribute). */
  silent: number;
  crashes: number;
  hangs: number;
  /** The node closed the fuzzing connection itself (a framing error it should not have seen). */
  linkDrops: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssMaxMiB: number;
  /** Longest a liveness probe took to be answered. */
  probeMaxMs: number;
  seconds: number;
  errorCodes: Record<string, number>;
  findings: string[];
}

/** Seeded generator (bench/lib/rng.ts). */
export const rng = mulberry32;

/** A ZMTP NULL dealer that counts and classifies replies. */
class Dealer {
  readonly socket: Socket;
  replies = 0;
  onReply: (env: unknown[] | null) => void = () => {};
  closedByPeer = false;
  private frames: Buffer[] = [];
  private readonly codec = new WireCodec();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('error', () => {});
    socket.on('close', () => { this.closedByPeer = true; });
    const dec = new FrameDecoder({
      greeting: () => {},
      accept: () => true,
      frame: (flags, body) => {
        if (flags & Flag.COMMAND) { this.onCommand(); return; }
        this.frames.push(body!);
        if (flags & Flag.MORE) return;
        const f = this.frames;
        this.frames = [];
        this.replies++;
        let env: unknown[] | null = null;
        try { env = this.codec.decodeValue(f); } catch { env = null; }
        this.onReply(env);
      },
    });
    socket.on('data', (d: Buffer) => { try { dec.push(d); } catch { socket.destroy(); } });
  }

  private onCommand: () => void = () => {};

  /**
   * Connects and waits for the node's READY before the first message, as real clients do: libzmq
   * loses about one message in six that arrives before its own READY went out (seen here, 7 of 40).
   */
  static async open(port: number): Promise<Dealer> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const d = new Dealer(socket);
    const ready = new Promise<void>((resolve) => { d.onCommand = resolve; });
    socket.write(Buffer.concat([greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'DEALER', Identity: '' }))]));
    await Promise.race([ready, once(socket, 'close'), new Promise((res) => setTimeout(res, 5000))]);
    d.onCommand = () => {};
    return d;
  }

  send(frames: Uint8Array[]): boolean { return this.socket.write(encodeMessage(frames)); }
  close(): void { this.socket.destroy(); }
}

interface Node { child: ChildProcess; port: number; exited: boolean }

async function startNode(transport: string): Promise<Node> {
  const nodeFlags = process.env.CRUCIAL_FUZZ_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'dso', 'start', '--port', '0', '--insecure', '--transport', transport,
    '--max-payload', String(4 * 1024 * 1024), '--max-object-bytes', String(1024 * 1024), '--max-work', '100000',
    '--max-memory', String(1024 * 1024 * 1024), '--read-timeout', '5000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const node: Node = { child, port: 0, exited: false };
  child.once('exit', () => { node.exited = true; });
  let out = '';
  // The guard's lines (an object's stray throw); drained so the pipe never fills, kept with CRUCIAL_FUZZ_NODE_LOG.
  const logFile = process.env.CRUCIAL_FUZZ_NODE_LOG;
  child.stderr!.on('data', (d: Buffer) => { if (logFile) appendFileSync(logFile, d); });
  node.port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at tcp:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`node exited ${code} before ready: ${out}`)));
  });
  return node;
}

function rssMiB(node: Node): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${node.child.pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch { return 0; }
}

async function stopNode(node: Node): Promise<void> {
  if (node.exited) return;
  const gone = once(node.child, 'exit');
  node.child.kill(process.env.CRUCIAL_FUZZ_NODE_FLAGS ? 'SIGINT' : 'SIGKILL');
  await gone;
}

/** Input generator: valid calls from the schema, hostile values, then byte mutations. */
export class Inputs {
  private readonly codec = new WireCodec();
  private readonly types = [...Object.keys(BUILTIN_TYPES), '$system', 'NoSuchType', ''];
  private readonly clients: Uint8Array[];
  private seq = 0;

  constructor(private readonly r: () => number) {
    this.clients = Array.from({ length: 64 }, (_, i) => { const c = new Uint8Array(8); c[7] = i; c[0] = 0xfe; return c; });
  }

  private int(n: number): number { return Math.floor(this.r() * n); }
  private pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]!; }

  private value(depth = 0): unknown {
    const r = this.r();
    const pool: (() => unknown)[] = [
      () => this.int(10), () => -this.int(1000), () => 2 ** 31, () => 2 ** 53 - 1, () => 1e308, () => -1e308, () => NaN, () => Infinity,
      () => 0.5, () => 2n ** 63n - 1n, () => -(2n ** 63n), () => BigInt(this.int(1e9)) * 1_000_003n, () => true, () => null,
      () => 'k' + this.int(8), () => 'é🔑'.repeat(this.int(4)), () => 'x'.repeat(this.int(300)), () => '', () => '__proto__', () => 'constructor',
      () => new Uint8Array(this.int(64)), () => new Float64Array(this.int(8)).map(() => this.r()), () => new Int32Array(this.int(8)),
      () => new ObjectRef(this.pick(this.types), 'k' + this.int(4)), () => 'sum', () => 'concat', () => 2 ** 29,
    ];
    if (depth < 3 && r < 0.1) return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    if (depth < 3 && r < 0.15) return Object.fromEntries(Array.from({ length: this.int(3) }, () => ['k' + this.int(5), this.value(depth + 1)]));
    return this.pick(pool)();
  }

  /** Encoded calls reused as mutation bases: encoding (Arrow above all) costs far more than mutating. */
  private readonly corpus: Uint8Array[][] = [];

  /** A call's frames: a fresh one now and then, else one of the corpus (with a new seq). */
  next(): Uint8Array[] {
    if (this.corpus.length < 4096 || this.r() < 0.05) {
      const c = this.call();
      if (this.corpus.length < 4096) this.corpus.push(c); else this.corpus[this.int(4096)] = c;
      return c;
    }
    const base = this.pick(this.corpus);
    return base;
  }

  /** A CALL's frames: a type, a method of it (or not), arguments, options. */
  call(): Uint8Array[] {
    const type = this.pick(this.types);
    const spec = (BUILTIN_TYPES as unknown as Record<string, { methods: Record<string, { args: unknown[] }> } | undefined>)[type];
    const methods = spec ? Object.keys(spec.methods) : ['ping', 'stats', 'delete', 'clearEphemeral', 'loadModule', 'nope'];
    const method = this.r() < 0.03 ? '$touch' : this.pick(methods);
    const arity = spec?.methods[method]?.args.length ?? this.int(3);
    const args = Array.from({ length: this.r() < 0.9 ? arity : this.int(5) }, () => this.value());
    const opts: Record<string, unknown> = {};
    if (this.r() < 0.5) opts.init = Array.from({ length: this.int(3) }, () => this.value());
    if (this.r() < 0.05) opts.forceNew = true;
    if (this.r() < 0.05) opts.state = { value: this.value(), queue: this.value() };
    if (this.r() < 0.05) opts.timeoutMs = this.pick([0, 1, 10, -1, 1e308]);
    if (this.r() < 0.03) opts.module = 'f'.repeat(64);
    const client = this.r() < 0.02 ? Uint8Array.from({ length: 8 }, () => this.int(256)) : this.pick(this.clients);
    const key = type === '$system' ? '' : 'k' + this.int(32);
    return this.codec.encodeCall(client, ++this.seq, type, key, method, args, Object.keys(opts).length ? opts as never : undefined);
  }

  /**
   * An attachment sent as several frames (PROTOCOL.md §4.1, as a Python client sends a large
   * array): a 4-byte ARROW extension of frame 0 (fixext 4, 0xd6 0x01) becomes an 8-byte one (fixext
   * 8) naming the frames the attachment is cut into, later indexes moved up; the span itself is
   * now and then wrong (too long, too short, off by one, a count of 0).
   */
  split(frames: Uint8Array[]): Uint8Array[] {
    const head = Buffer.from(frames[0]!);
    const at: number[] = [];
    for (let i = head.indexOf(0xd6); i >= 0 && i + 6 <= head.length; i = head.indexOf(0xd6, i + 1)) if (head[i + 1] === 0x01) at.push(i);
    if (at.length === 0) return frames;
    const pos = this.pick(at);
    const index = head.readUInt32BE(pos + 2);
    const target = frames[index];
    if (index < 1 || target === undefined) return frames;
    const cuts = [...new Set(Array.from({ length: 1 + this.int(3) }, () => this.int(target.byteLength + 1)))].sort((a, b) => a - b);
    const parts: Uint8Array[] = [];
    let from = 0;
    for (const c of [...cuts, target.byteLength]) { parts.push(target.subarray(from, c)); from = c; }
    const extra = parts.length - 1;
    for (const p of at) {
      const i = head.readUInt32BE(p + 2);
      if (p !== pos && i > index) head.writeUInt32BE(i + extra, p + 2);
    }
    let first = index;
    let count = parts.length;
    if (this.r() < 0.2) [first, count] = this.pick([[first, count + 1], [first, count - 1], [first + 1, count], [first - 1, count], [first, 0]]);
    const ext = Buffer.alloc(10);
    ext[0] = 0xd7;
    ext[1] = 0x01;
    ext.writeUInt32BE(first >>> 0, 2);
    ext.writeUInt32BE(count >>> 0, 6);
    return [Buffer.concat([head.subarray(0, pos), ext, head.subarray(pos + 6)]), ...frames.slice(1, index), ...parts, ...frames.slice(index + 1)];
  }

  /** Byte mutations of a message's frames (or none, for a third of the inputs); a tenth split an attachment over frames first. */
  mutate(input: Uint8Array[]): Uint8Array[] {
    const frames = input.length > 1 && this.r() < 0.1 ? this.split(input) : input;
    if (this.r() < 0.33) return frames;
    const out = frames.map((f) => Buffer.from(f));
    const edits = 1 + this.int(4);
    for (let e = 0; e < edits; e++) {
      const i = this.int(out.length);
      let f = out[i]!;
      const at = f.length ? this.int(f.length) : 0;
      const op = this.int(7);
      if (op === 0 && f.length) f[at] = this.int(256);
      else if (op === 1 && f.length) f[at] = this.pick([0x00, 0x7f, 0x80, 0xff, 0xc1, 0xdc, 0xdd, 0xde, 0xdf, 0xc6, 0xd9, 0xc7, 0xd8]);
      else if (op === 2) f = Buffer.concat([f.subarray(0, at), Buffer.from(Array.from({ length: 1 + this.int(8) }, () => this.int(256))), f.subarray(at)]);
      else if (op === 3) f = Buffer.concat([f.subarray(0, at), f.subarray(Math.min(f.length, at + 1 + this.int(8)))]);
      else if (op === 4) f = f.subarray(0, at);
      else if (op === 5 && f.length >= at + 4) f.writeInt32LE(this.pick([0x7fffffff, -1, 0x10000, 1e6]), at - (at % 4));
      else if (f.length) f[at] ^= 1 << this.int(8);
      out[i] = f;
    }
    if (this.r() < 0.02) out.push(Buffer.from(Array.from({ length: this.int(200) }, () => this.int(256))));
    return out;
  }

  /** A raw byte stream for a connection of its own. */
  raw(): Buffer {
    const kind = this.int(3);
    if (kind === 0) return Buffer.from(Array.from({ length: this.int(300) }, () => this.int(256)));
    const parts = [greeting(), encodeCommand('READY', encodeMetadata({ 'Socket-Type': this.pick(['DEALER', 'ROUTER', 'PUB', '']), Identity: '' })), encodeMessage(this.call())];
    const b = Buffer.concat(parts);
    for (let e = 0; e < 1 + this.int(6); e++) b[this.int(b.length)] = this.int(256);
    return kind === 1 ? b : b.subarray(0, this.int(b.length));
  }
}

/** Runs one campaign; never throws for what the node does (that is in the report). */
export async function fuzzNode(opts: FuzzOptions): Promise<FuzzReport> {
  const log = opts.log ?? (() => {});
  const batch = opts.batch ?? 2000;
  const rawEvery = opts.rawEvery ?? 50;
  await loadArrow();
  const r = rng(opts.seed);
  const gen = new Inputs(r);
  const report: FuzzReport = {
    transport: opts.transport, seed: opts.seed, inputs: 0, messages: 0, rawStreams: 0, replies: 0, okReplies: 0, errorReplies: 0,
    silent: 0, crashes: 0, hangs: 0, linkDrops: 0, rssBeforeMiB: 0, rssAfterMiB: 0, rssMaxMiB: 0, probeMaxMs: 0, seconds: 0, errorCodes: {}, findings: [],
  };
  const t0 = Date.now();
  let node = await startNode(opts.transport);
  report.rssBeforeMiB = rssMiB(node);
  let dealer = await Dealer.open(node.port);
  const tally = (env: unknown[] | null) => {
    report.replies++;
    if (env && env[1] === Kind.OK) report.okReplies++;
    else {
      report.errorReplies++;
      const code = env && typeof env[3] === 'object' && env[3] !== null ? String((env[3] as { code?: unknown }).code) : 'unreadable';
      report.errorCodes[code] = (report.errorCodes[code] ?? 0) + 1;
    }
  };
  dealer.onReply = tally;
  let probeSeq = 0;
  const probeClient = Uint8Array.from([0xfd, 0, 0, 0, 0, 0, 0, 1]);
  const probeCodec = new WireCodec();

  const restart = async (why: string) => {
    report.findings.push(why);
    log(why);
    dealer.close();
    await stopNode(node);
    node = await startNode(opts.transport);
    dealer = await Dealer.open(node.port);
    dealer.onReply = tally;
  };

  while (report.inputs < opts.inputs) {
    const n = Math.min(batch, opts.inputs - report.inputs);
    let sent = 0;
    const raws: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      report.inputs++;
      if (this_isRaw(r, rawEvery)) {
        report.rawStreams++;
        raws.push(rawStream(node.port, gen.raw()));
      } else {
        report.messages++;
        sent++;
        if (!dealer.send(gen.mutate(gen.next()))) {
          // Written later, or never if the node dropped the link (counted below, then reopened).
          await Promise.race([once(dealer.socket, 'drain'), once(dealer.socket, 'close')]).catch(() => {});
        }
        if (dealer.closedByPeer) {
          report.linkDrops++;
          log(`the node closed the fuzzing connection after input ${report.inputs} (seed ${opts.seed})`);
          if (node.exited) break;
          dealer = await Dealer.open(node.port);
          dealer.onReply = tally;
        }
      }
      if (node.exited) break;
    }
    await Promise.all(raws);
    await quiesce(() => report.replies, report.messages, node);
    void sent;

    if (node.exited) { report.crashes++; await restart(`node exited after input ${report.inputs} (seed ${opts.seed})`); continue; }
    // Liveness probe on a connection of its own; a second one before calling it a hang, since a
    // machine loaded by other work can starve the node past one window.
    const probeOnce = async (): Promise<boolean> => {
      const probe = await Dealer.open(node.port).catch(() => null);
      if (!probe) return false;
      const t = Date.now();
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 20_000);
        probe.onReply = (env) => { clearTimeout(timer); resolve(env !== null && env[1] === Kind.OK); };
        probe.send(probeCodec.encodeCall(probeClient, ++probeSeq, 'AtomicLong', 'fuzz-probe', 'incrementAndGet', []));
      });
      report.probeMaxMs = Math.max(report.probeMaxMs, Date.now() - t);
      probe.close();
      return ok;
    };
    const answered = (await probeOnce()) || (!node.exited && (await probeOnce()));
    report.rssMaxMiB = Math.max(report.rssMaxMiB, rssMiB(node));
    if (!answered && process.env.CRUCIAL_FUZZ_DEBUG) {
      const stat = () => { try { return readFileSync(`/proc/${node.child.pid}/stat`, 'utf8').split(' ').slice(13, 15).join('/'); } catch { return 'gone'; } };
      const a = stat();
      await new Promise((res) => setTimeout(res, 2000));
      log(`probe failed: node cpu ticks ${a} -> ${stat()}, replies so far ${report.replies}/${report.messages}`);
    }
    if (!answered) {
      if (node.exited) report.crashes++; else report.hangs++;
      await restart(`${node.exited ? 'node exited' : 'probe unanswered within 10 s'} after input ${report.inputs} (seed ${opts.seed})`);
    }
    log(`${opts.transport} ${report.inputs}/${opts.inputs} inputs, ${report.replies} replies (${report.errorReplies} errors), ${report.silent} silent, rss ${rssMiB(node)} MiB`);
  }
  await quiesce(() => report.replies, report.messages, node, 3000);
  report.silent = report.messages - report.replies;
  report.rssAfterMiB = rssMiB(node);
  report.seconds = Math.round((Date.now() - t0) / 100) / 10;
  dealer.close();
  await stopNode(node);
  return report;
}

/**
 * Waits until `target` replies are in, or none arrived for `idleMs` (calls parked on a barrier or a
 * semaphore stay unanswered; replies held up by a busy node arrive later and still count).
 */
async function quiesce(replies: () => number, target: number, node: Node, idleMs = 300): Promise<void> {
  let last = replies();
  let idle = 0;
  while (replies() < target && idle < idleMs && !node.exited) {
    await new Promise((res) => setTimeout(res, 50));
    if (replies() === last) idle += 50; else { last = replies(); idle = 0; }
  }
}

function this_isRaw(r: () => number, every: number): boolean { return r() < 1 / every; }

/**
 * Writes `bytes` on a fresh connection and half-closes it; the connection is dropped once written
 * (or after 200 ms): waiting for the node's own close would wait out its handshake timeout.
 */
async function rawStream(port: number, bytes: Buffer): Promise<void> {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => {});
  try {
    await once(s, 'connect');
    await Promise.race([new Promise<void>((res) => s.end(bytes, () => res())), new Promise((res) => setTimeout(res, 200))]);
  } catch { /* refused or reset: the node's business */ }
  setTimeout(() => s.destroy(), 50).unref();
}
