/** Body of the DSO node the benchmark runs in its own process, like redis-server: prints READY <address>. */
import { startDso } from 'crucial/node';

const node = await startDso({ host: '127.0.0.1', port: Number(process.env.BENCH_DSO_PORT ?? 0) });
process.stdout.write(`READY ${node.address}\n`);
const stop = () => { void node.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
