/**
 * The DSO node the Python package starts when no `CRUCIAL_DSO` is set. Bundled by
 * scripts/bundle-python-node.mjs into one file inside the wheel (crucial/_node/crucial-node.mjs),
 * which the system `node` runs: no npm install, no TypeScript.
 *
 *   node crucial-node.mjs [host] [port] [listen-fd]
 *
 * With `listen-fd`, it listens on that inherited listening socket (the Python side made it, so it knew
 * the address before this node loaded). With `CRUCIAL_DSO_IPC` set to a path, it also listens on a
 * Unix socket there (`ipc://path`, mode 0600): the inherited one `CRUCIAL_DSO_IPC_FD` names, if set; at exit it
 * removes the directory `CRUCIAL_DSO_IPC_DIR` names, if empty. Prints `DSO tcp://host:port` once listening; stdin is the lifeline: when the Python process that
 * started it closes the pipe (or dies), the node closes and exits.
 */
import { startDso } from '../../../dso/node.ts';
import { installProcessGuard } from '../../../dso/guard.ts';
import { closeWithLifeline } from './lifeline.ts';

// This node owns its process (the Python program is another process): a user class's fault outside any
// call (a throw in its own timer, a dropped rejection) is logged, never the end of every client's node.
installProcessGuard();

// The executor service's jobs (ml.fit) run cloud threads on the local pool: its workers run the
// worker bundled next to this file (workers/local/pool.ts reads this symbol).
(globalThis as Record<symbol, unknown>)[Symbol.for('crucial.localPool.workerFile')] = new URL('./crucial-worker.mjs', import.meta.url).href;

const host = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? 0);
const listenFd = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
try {
  // The Python process that starts this node makes its token and passes it here, never on the command line;
  // its program is this node's one user, so its @Shared classes may be uploaded, as with the TS embedded default.
  const ipcPath = process.env.CRUCIAL_DSO_IPC || undefined;
  const ipcListenFd = ipcPath && process.env.CRUCIAL_DSO_IPC_FD ? Number(process.env.CRUCIAL_DSO_IPC_FD) : undefined;
  const node = await startDso({ host, port, listenFd, ipcPath, ipcListenFd, token: process.env.CRUCIAL_TOKEN, allowUpload: true });
  console.log(`DSO ${node.address}`);
  closeWithLifeline(node);
} catch (err) {
  console.error(err);
  process.exit(1);
}
