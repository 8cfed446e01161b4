/**
 * A DSO node in a child process (`crucial dso start --pmem FILE`), for kill -9 tests and the kill
 * campaign, and a raw client that sends calls with the (client, seq) it is given, so a call can be
 * resent byte for byte to a restarted node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { WireCodec } from '../../core/protocol/wire/codec.ts';
import { Kind, type CallOptions } from '../../core/protocol/wire/protocol.ts';
import { parseReply, type Reply } from '../../core/protocol/wire/reply.ts';
import { errorFromData, type ErrorData } from '../../core/protocol/errors.ts';
import { openClient, type ClientSocket } from '../../core/protocol/transport/socket.ts';

const BIN = fileURLToPath(new URL('../../core/cli/bin.js', import.meta.url));

/** A node process. */
export interface NodeProcess {
  child: ChildProcess;
  address: string;
  port: number;
}

/**
 * Starts a node on `pmem`; `port` 0 picks a free one (pass the previous port to restart in place).
 * It lets its clients upload (tests and benches are its one user), and writes its token to the
 * runtime file of its port, where this process's clients find it; a restart on the port keeps it.
 */
export async function startNodeProcess(pmem: string, port = 0): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, 'dso', 'start', '--port', String(port), '--pmem', pmem, '--allow-upload'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at (tcp:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('exit', (code, signal) => reject(new Error(`node exited ${code ?? signal}: ${out}${err}`)));
  });
  return { child, address, port: Number(/:(\d+)$/.exec(address)![1]) };
}

/** SIGKILL, and wait until the process is gone. */
export async function kill9(p: NodeProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = once(p.child, 'exit');
  p.child.kill('SIGKILL');
  await gone;
}

/** SIGTERM (clean close), and wait. */
export async function stopNode(p: NodeProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const gone = once(p.child, 'exit');
  p.child.kill('SIGTERM');
  await gone;
}

/** The outcome of one call: its value, or the error it was answered with. */
export type Answer = { ok: true; value: unknown } | { ok: false; error: Error & { code?: string } };

/**
 * A client that numbers its calls itself. `send` returns the frames so they can be resent
 * unchanged (to a restarted node: `reconnect` first).
 */
export class RawClient {
  private readonly codec = new WireCodec();
  private socket: ClientSocket;
  private readonly waiting = new Map<number, (a: Answer) => void>();

  constructor(private address: string, readonly id: Uint8Array) {
    this.socket = this.open();
  }

  private open(): ClientSocket {
    return openClient('zmtp', this.address, (frames) => {
      let r: Reply;
      try { r = parseReply(this.codec.decodeValue(frames)); } catch { return; }
      const done = r.seq === null ? undefined : this.waiting.get(r.seq);
      if (!done) return;
      this.waiting.delete(r.seq!);
      done(r.kind === Kind.OK ? { ok: true, value: r.payload } : { ok: false, error: errorFromData(r.payload as ErrorData) });
    });
  }

  frames(seq: number, type: string, key: string, method: string, args: unknown[], opts?: CallOptions): Uint8Array[] {
    return this.codec.encodeCall(this.id, seq, type, key, method, args, opts);
  }

  /** Sends `frames` (of call `seq`) and waits for its answer; rejects after `timeoutMs`. */
  send(seq: number, frames: Uint8Array[], timeoutMs = 10_000): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiting.delete(seq); reject(new Error(`no answer to seq ${seq} in ${timeoutMs} ms`)); }, timeoutMs);
      this.waiting.set(seq, (a) => { clearTimeout(timer); resolve(a); });
      this.socket.send(frames);
    });
  }

  /** Answers every wait with a `GONE` error (the node died): those calls are in flight, to be resent. */
  abort(): void {
    for (const done of this.waiting.values()) done({ ok: false, error: Object.assign(new Error('node gone'), { code: 'GONE' }) });
    this.waiting.clear();
  }

  /** Drops every wait and connects afresh to `address` (a restarted node: no reconnect backoff to wait out). */
  reconnect(address = this.address): void {
    this.socket.close();
    this.abort();
    this.address = address;
    this.socket = this.open();
  }

  close(): void {
    this.socket.close();
  }
}
