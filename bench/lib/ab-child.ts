/**
 * A DSO node from the checkout `AB_TREE` names (this one by default), for bench/hot-path-ab.ts:
 * prints `READY <address> <token>`.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const tree = resolve(process.env.AB_TREE ?? fileURLToPath(new URL('../..', import.meta.url)));
const { startDso } = (await import(`${tree}/dso/node.ts`)) as typeof import('../../dso/node.ts');
// AB_NODE_OPTS: more startDso options as JSON (bench/hot-node-ab.ts --insecure).
const node = await startDso({ host: '127.0.0.1', port: 0, ...(process.env.AB_NODE_OPTS ? JSON.parse(process.env.AB_NODE_OPTS) as object : {}) });
process.stdout.write(`READY ${node.address} ${node.token ?? ''}\n`);
process.on('SIGTERM', () => { void node.close().then(() => process.exit(0)); });
