/**
 * An 8 MB download right after an 8 MB upload to the same server process (issue 13, the 8 MB goal;
 * lead, evening session 2026-12-02). From Python a get that follows a set is 1.5-2.5 ms slower than a
 * get that follows a get; this bench takes the DSO out of it. Echo servers are asked for 8 MB back,
 * each right after an 8 MB upload to it and right after an 8 MB download from it, in rotation, so
 * every row sees the same minute of the machine:
 *
 * - crucial ZMTP echo: bench/lib/floor-server.ts (crucial's own ROUTER, no codec), from crucial's DEALER;
 * - libzmq echo: a pyzmq ROUTER (array_floor.py's), from crucial's DEALER;
 * - node:net echo: a bare node:net server that reads an upload straight into one reused buffer
 *   (`onread`, as crucial's peer does), from a bare node:net client; its answer goes alone, or after
 *   a 9-byte header (a long ZMTP frame's) with the answer either 16-byte aligned in memory, as every
 *   large ArrayBuffer here is, or 9 bytes into its buffer, so that it lies in memory as it lies in
 *   the socket's pages (the kernel's copy into the socket then runs at matching alignment).
 *
 * Prints p50 ms and GB/s per row, and "after upload / after download" per server.
 *
 *   npx tsx bench/hot-path-after-upload.ts [--rounds 50]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ZmtpDealer } from '../core/protocol/transport/zmtp/dealer.ts';
import { recycleFrame } from '../core/protocol/transport/frame-pool.ts';
import { startFloorServer } from './lib/floor.ts';

const SIZE = 8_000_000;
const RAW_ROLE = 'after-upload-raw-server';
/** A long ZMTP frame header's length: what precedes an array's bytes in the socket when it goes as its own frame. */
const HEADER = 9;

if (process.argv[2] === RAW_ROLE) {
  // Protocol: 'u' + SIZE bytes -> 'k'; 'd' -> the SIZE-byte answer alone; 'h' -> a 9-byte header, then the
  // answer as it lies (16-byte aligned, as every large ArrayBuffer here); 'a' -> the same bytes with the
  // answer lying 9 bytes into its buffer, so it sits in memory as it sits in the socket's pages.
  const answer = Buffer.alloc(SIZE, 5);
  const shifted = Buffer.alloc(SIZE + 16, 5).subarray(HEADER, HEADER + SIZE);
  const header = Buffer.alloc(HEADER, 2);
  const scratch = Buffer.alloc(64 * 1024);
  const upload = Buffer.allocUnsafe(SIZE);
  const srv = net.createServer({ pauseOnConnect: true }, (accepted) => {
    let filled = -1;
    const handle = (accepted as unknown as { _handle: object })._handle;
    const s: net.Socket = new net.Socket({
      handle, readable: true, writable: true,
      onread: {
        buffer: () => (filled >= 0 ? upload.subarray(filled) : scratch),
        callback: (n: number, buf: Uint8Array) => {
          if (buf !== scratch) { filled += n; if (filled === SIZE) { filled = -1; s.write('k'); } return true; }
          for (let at = 0; at < n;) {
            const c = scratch[at++];
            if (c === 0x64) { s.write(answer); continue; }
            if (c === 0x68 || c === 0x61) { s.cork(); s.write(header); s.write(c === 0x68 ? answer : shifted); process.nextTick(() => s.uncork()); continue; }
            const take = Math.min(n - at, SIZE);
            scratch.copy(upload, 0, at, at + take);
            at += take;
            filled = take;
            if (filled === SIZE) { filled = -1; s.write('k'); }
          }
          return true;
        },
      },
    } as ConstructorParameters<typeof net.Socket>[0]);
    s.setNoDelay(true);
  }).listen(0, '127.0.0.1', () => process.stdout.write(`${(srv.address() as net.AddressInfo).port}\n`));
} else {
  const opts = new Command('hot-path-after-upload').description('8 MB down after 8 MB up, per echo server, in one run')
    .option('--rounds <n>', 'timed downloads per row', '50').parse().opts<{ rounds: string }>();
  const ROUNDS = Number(opts.rounds);
  const firstLine = (child: ReturnType<typeof spawn>) => new Promise<string>((r) => { let b = ''; child.stdout!.on('data', (d) => { b += d; if (b.includes('\n')) r(b.split('\n')[0]!); }); });
  const ECHO = readFileSync(fileURLToPath(new URL('./python/array_floor.py', import.meta.url)), 'utf8').split('ECHO = """')[1]!.split('"""')[0]!;
  const py = spawn('python3', ['-c', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
  const raw = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), RAW_ROLE], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => { py.kill('SIGKILL'); raw.kill('SIGKILL'); });
  const [pyPort, rawPort, floor] = await Promise.all([firstLine(py), firstLine(raw), startFloorServer()]);

  const dealer = async (endpoint: string) => {
    let done: (f: Uint8Array[]) => void = () => undefined;
    let up: () => void = () => undefined;
    const ready = new Promise<void>((r) => { up = r; });
    const d = new ZmtpDealer(endpoint, (frames: Uint8Array[]) => done(frames), { onStatus: (s: { type: string }) => { if (s.type === 'connect') up(); } });
    await ready;
    return (frames: Uint8Array[]) => new Promise<void>((r) => { done = (f) => { for (const x of f) recycleFrame(x); r(); }; d.send(frames); });
  };
  const bytes = Buffer.alloc(SIZE, 9);
  const crucial = await dealer(floor.zmtp);
  const libzmq = await dealer(`tcp://127.0.0.1:${pyPort}`);
  const rawSock = net.connect(Number(rawPort), '127.0.0.1');
  rawSock.setNoDelay(true);
  await new Promise((r) => rawSock.once('connect', r));
  let want = 0;
  let got = 0;
  let rawDone: () => void = () => undefined;
  rawSock.on('data', (d: Buffer) => { got += d.length; if (got >= want) rawDone(); });
  const rawCall = (msg: Buffer | Buffer[], answer: number) => new Promise<void>((r) => { want = answer; got = 0; rawDone = r; for (const m of [msg].flat()) rawSock.write(m); });

  // floor-server.ts: the first 4 bytes name the answer's size.
  const sizeHead = (n: number, pad: number) => { const b = Buffer.alloc(pad); b.writeUInt32BE(n, 0); return b; };
  const servers = {
    'crucial ZMTP echo': { up: () => crucial([Buffer.concat([sizeHead(1, 8), bytes])]), down: () => crucial([sizeHead(SIZE, 4)]) },
    'libzmq echo': { up: () => libzmq([Buffer.from('up'), bytes]), down: () => libzmq([Buffer.from('down')]) },
    'node:net echo': { up: () => rawCall([Buffer.from('u'), bytes], 1), down: () => rawCall(Buffer.from('d'), SIZE) },
    'node:net echo, 9-byte header, answer 16-aligned': { up: () => rawCall([Buffer.from('u'), bytes], 1), down: () => rawCall(Buffer.from('h'), SIZE + HEADER) },
    'node:net echo, 9-byte header, answer 9 bytes in': { up: () => rawCall([Buffer.from('u'), bytes], 1), down: () => rawCall(Buffer.from('a'), SIZE + HEADER) },
  };
  type Name = keyof typeof servers;
  const times = new Map<string, number[]>();
  const timed = async (row: string, pre: () => Promise<void>, op: () => Promise<void>) => {
    await pre();
    const t = performance.now();
    await op();
    const list = times.get(row) ?? [];
    list.push(performance.now() - t);
    times.set(row, list);
  };
  for (const s of Object.values(servers)) { await s.up(); await s.down(); }
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of Object.keys(servers) as Name[]) {
      const s = servers[name];
      await timed(`${name}: down after down`, s.down, s.down);
      await timed(`${name}: down after up`, s.up, s.down);
    }
    // The crucial echo's download after an upload to the libzmq echo: is it the machine or the process?
    await timed('crucial ZMTP echo: down after an up to libzmq', servers['libzmq echo'].up, servers['crucial ZMTP echo'].down);
  }
  const p50 = (row: string) => { const s = [...times.get(row)!].sort((a, b) => a - b); return s[s.length >> 1]!; };
  console.log(`| 8 MB down | p50 ms | GB/s |\n| --- | ---: | ---: |`);
  for (const row of times.keys()) console.log(`| ${row} | ${p50(row).toFixed(2)} | ${(SIZE / p50(row) / 1e6).toFixed(2)} |`);
  for (const name of Object.keys(servers)) console.log(`${name}: after upload / after download ${(p50(`${name}: down after up`) / p50(`${name}: down after down`)).toFixed(2)}`);
  rawSock.destroy();
  await floor.stop();
  process.exit(0);
}
