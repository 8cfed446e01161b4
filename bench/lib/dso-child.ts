/**
 * Body of the DSO node the benchmark runs in its own process, like redis-server: prints
 * `READY <address> <token>`; with BENCH_DSO_IPC (a path) it also listens on a Unix socket there. SIGUSR2 prints `GC <json>`: the GC pauses since the last SIGUSR2.
 */
import { startDso } from 'crucial/node';
import { GcWatch } from './gc.ts';

const node = await startDso({ host: '127.0.0.1', port: Number(process.env.BENCH_DSO_PORT ?? 0), ipcPath: process.env.BENCH_DSO_IPC || undefined });
const gc = new GcWatch();
// The node demands PLAIN credentials: its token goes to the bench process, which registers it for its clients.
process.stdout.write(`READY ${node.address} ${node.token ?? ''}\n`);
// perf_hooks hands entries over asynchronously: a turn of the loop first, so the last pauses are in.
process.on('SIGUSR2', () => setImmediate(() => process.stdout.write(`GC ${JSON.stringify(gc.take())}\n`)));
const stop = () => { void node.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
