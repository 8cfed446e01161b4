/**
 * A minimal ZMTP 3.1 ROUTER echo (NULL mechanism) on bare node:net, for bench/python/copy_alignment.py
 * (issue 13, the 8 MB goal): none of crucial's peer, only its greeting and command encoders. Reads a
 * large frame straight into one reused buffer (`onread`). A message frame's first 4 bytes name the
 * size of the answer; the answer goes as one frame, its 9-byte header then its body corked into one
 * writev, the body lying SHIFT bytes into its own 16-byte aligned buffer (env SHIFT, default 0).
 * Prints `READY <port>`.
 */
import net from 'node:net';
import { encodeCommand, encodeMetadata, frameHeader, greeting } from '../../core/protocol/transport/zmtp/wire.ts';

const SHIFT = Number(process.env.SHIFT ?? 0);
const answers = new Map<number, Buffer>();
const answer = (n: number): Buffer => {
  let b = answers.get(n);
  if (!b) answers.set(n, (b = Buffer.alloc(n + 64, 7).subarray(SHIFT, SHIFT + n)));
  return b;
};
const scratch = Buffer.allocUnsafe(64 * 1024);
let large = Buffer.allocUnsafe(0);

const server = net.createServer({ pauseOnConnect: true }, (accepted) => {
  let greeted = 0;
  let pending = Buffer.alloc(0);
  let body: Buffer | null = null;
  let filled = 0;
  let command = false;
  const frame = (isCommand: boolean, b: Buffer) => {
    if (isCommand) return;
    const n = b.readUInt32BE(0);
    socket.cork();
    socket.write(frameHeader(0, n));
    socket.write(answer(n));
    process.nextTick(() => socket.uncork());
  };
  const parse = (chunk: Buffer) => {
    const d = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    let at = 0;
    if (greeted < 64) {
      at = Math.min(64 - greeted, d.length);
      greeted += at;
    }
    while (d.length - at >= 2) {
      const flags = d[at]!;
      const headerBytes = flags & 2 ? 9 : 2;
      if (d.length - at < headerBytes) break;
      const size = flags & 2 ? Number(d.readBigUInt64BE(at + 1)) : d[at + 1]!;
      if (d.length - at - headerBytes >= size) {
        frame((flags & 4) !== 0, d.subarray(at + headerBytes, at + headerBytes + size));
        at += headerBytes + size;
        continue;
      }
      if (large.length !== size) large = Buffer.allocUnsafe(size);
      body = large;
      command = (flags & 4) !== 0;
      filled = d.copy(body, 0, at + headerBytes);
      return;
    }
    if (at < d.length) pending = Buffer.from(d.subarray(at));
  };
  const handle = (accepted as unknown as { _handle: object })._handle;
  const socket: net.Socket = new net.Socket({
    handle, readable: true, writable: true,
    onread: {
      buffer: () => (body ? body.subarray(filled) : scratch),
      callback: (n: number, buf: Uint8Array) => {
        if (buf === scratch) parse(Buffer.from(scratch.subarray(0, n)));
        else if ((filled += n) === body!.length) { const b = body!; body = null; frame(command, b); }
        return true;
      },
    },
  } as ConstructorParameters<typeof net.Socket>[0]);
  socket.setNoDelay(true);
  socket.write(greeting());
  socket.write(encodeCommand('READY', encodeMetadata({ 'Socket-Type': 'ROUTER' })));
}).listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as net.AddressInfo).port}\n`));
