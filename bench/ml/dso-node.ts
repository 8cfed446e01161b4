/**
 * A DSO node in a process of its own for the ml bench and the ml example's test: prints
 * `READY <address> <token>` (token `-` when the node has none), so the parent hands both to its
 * clients as CRUCIAL_DSO and CRUCIAL_TOKEN. `crucial dso start` prints no token to copy.
 */
import { startDso } from 'crucial/node';

const node = await startDso({ host: '127.0.0.1', port: 0 });
const token = (node as { token?: string }).token;
process.stdout.write(`READY ${node.address} ${token ?? '-'}\n`);
const stop = () => { void node.close().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
