/**
 * The floor servers of the hot-path bench (issue 13), in their own process like the DSO node and
 * redis-server: a bare node:net echo (length-prefixed messages) and a bare ZMTP echo (crucial's own
 * ZMTP ROUTER, no codec, no dispatch). Each request names the size of its answer, so the floor moves
 * the same bytes each way as the product call it stands beside. Prints `READY {"tcp":port,"zmtp":endpoint}`.
 *
 * node:net message: u32 BE body length, then the body; a request body starts with the u32 BE size of
 * the answer's body. ZMTP: one frame whose first 4 bytes are the answer's size; the answer is one frame.
 */
import { createServer, type Socket } from 'node:net';
import { ZmtpRouter } from '../../core/protocol/transport/zmtp/router.ts';

/** Answers cached by size: the floor allocates nothing per message, so it is a floor. */
const answers = new Map<number, Buffer>();
function answer(size: number, framed: boolean): Buffer {
  const k = framed ? -size - 1 : size;
  let b = answers.get(k);
  if (!b) {
    b = Buffer.alloc(framed ? 4 + size : size, 7);
    if (framed) b.writeUInt32BE(size, 0);
    answers.set(k, b);
  }
  return b;
}

function serveTcp(s: Socket): void {
  s.setNoDelay(true);
  let pending: Buffer | null = null;
  s.on('data', (chunk: Buffer) => {
    let data = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    while (data.length >= 8) {
      const len = data.readUInt32BE(0);
      if (data.length < 4 + len) break;
      s.write(answer(data.readUInt32BE(4), true));
      data = data.subarray(4 + len);
    }
    if (data.length > 0) pending = Buffer.from(data);
  });
}

const tcp = createServer(serveTcp).listen(0, '127.0.0.1');
await new Promise((r) => tcp.once('listening', r));
const router = new ZmtpRouter((route, frames) => { router.send(route, [answer(frames[0]!.readUInt32BE(0), false)]); });
await router.bind('tcp://127.0.0.1:0');
process.stdout.write(`READY ${JSON.stringify({ tcp: (tcp.address() as { port: number }).port, zmtp: router.endpoint })}\n`);
const stop = () => { tcp.close(); void router.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
