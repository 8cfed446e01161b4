/**
 * How the DSO node a Python program starts ends: when that program's process goes (its stdin, the
 * lifeline, reaches its end) or a signal to the program's whole process group says so. Shared by the
 * bundled node (embedded.ts) and the checkout's (crucial.client.local_dso runs it through tsx).
 */
import { rmdirSync } from 'node:fs';

/** Closes `node` and exits once the lifeline ends or SIGTERM / SIGHUP arrives; SIGINT is left to the Python program. */
export function closeWithLifeline(node: { close(): Promise<void> }): void {
  let closing = false;
  const closeAndExit = (): void => {
    if (closing) return;
    closing = true;
    void node.close().then(() => {
      // The private directory the Python side made for the socket, empty now: also after that process was killed.
      try { if (process.env.CRUCIAL_DSO_IPC_DIR) rmdirSync(process.env.CRUCIAL_DSO_IPC_DIR); } catch { /* not empty, or gone */ }
      process.exit(0);
    });
  };
  process.stdin.on('end', closeAndExit);
  process.stdin.resume();
  // A signal to the program's whole process group (`timeout`, a terminal's Ctrl-C, a job scheduler)
  // reaches this node too. Node's default would end it at once, leaving its Unix socket and directory
  // behind: SIGTERM and SIGHUP close it as the end of stdin does. Ctrl-C's SIGINT is the Python
  // program's to handle (it may catch KeyboardInterrupt and go on): the lifeline decides.
  process.on('SIGTERM', closeAndExit);
  process.on('SIGHUP', closeAndExit);
  process.on('SIGINT', () => undefined);
}
