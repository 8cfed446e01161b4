/**
 * Long-running commands (`crucial dso start`, `crucial ml serve`) end when the process that started
 * them ends. Killing a wrapper does not reach its children: `npx crucial …` runs
 * `npm exec` → `sh -c crucial …` → node, and a SIGKILL of npm (or a SIGTERM, which npm passes to the
 * shell only) left the node serving, orphaned, its port taken. Node has no PR_SET_PDEATHSIG and
 * an addon only for that is not worth a compiler, so the command polls: once a second it checks
 * that its parent is still the one that started it and that every `sh -c` shell between it and its
 * starter still has its own parent (a shell whose parent died is reparented; its pid stays the same).
 */
import { readFileSync } from 'node:fs';

/** A process between this one and its starter: its pid and the parent it had at start. */
interface Link {
  pid: number;
  ppid: number;
}

/** pid, command name, parent pid and argv of a process from /proc (Linux), or null. */
function proc(pid: number): { comm: string; ppid: number; argv: string[] } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may itself hold spaces or parentheses.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return { comm, ppid, argv };
  } catch {
    return null;
  }
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'busybox']);

/**
 * The `sh -c` shells between this process and the one that started it (npm's script shell), each
 * with the parent it has now. Empty off Linux (no /proc): only the direct parent is watched there.
 */
function passThroughShells(): Link[] {
  const links: Link[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    const p = proc(pid);
    if (p === null || !SHELLS.has(p.comm) || p.argv[1] !== '-c') break;
    links.push({ pid, ppid: p.ppid });
    pid = p.ppid;
  }
  return links;
}

// Taken when the CLI is loaded, before any start-up work: a starter that dies while a node or a
// model server is still starting is noticed at the first poll all the same.
const STARTER = process.ppid;
const SHELLS_AT_START = passThroughShells();

/**
 * Whether the user asked this process to outlive its starter: `--detach`, or started under
 * `nohup` (SIGHUP ignored, read from /proc/self/status where there is one).
 */
export function detachedByNohup(): boolean {
  try {
    const m = /^SigIgn:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m !== null && (BigInt(`0x${m[1]}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/**
 * Calls `onGone` once, at the first poll that finds the starter gone: this process's parent changed
 * (it died and we were reparented), or one of the `sh -c` shells in between was reparented (the
 * wrapper above it died). Returns a function that stops watching. The timer does not keep the
 * process alive.
 * @param onGone what to do (the commands stop as on SIGTERM)
 * @param intervalMs how often to look (default 1000)
 */
export function watchParent(onGone: (reason: string) => void, intervalMs = 1000): () => void {
  const parent = STARTER;
  const shells = SHELLS_AT_START;
  const timer = setInterval(() => {
    let reason: string | null = null;
    if (process.ppid !== parent) reason = `parent process ${parent} exited`;
    else {
      for (const s of shells) {
        const p = proc(s.pid);
        if (p === null || p.ppid !== s.ppid) {
          reason = `process ${s.ppid} that started it through sh -c (${s.pid}) exited`;
          break;
        }
      }
    }
    if (reason !== null) {
      clearInterval(timer);
      onGone(reason);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
