/**
 * Long-running commands end with the wrapper that started them (core/cli/parent-watch.ts): `npx`
 * runs `npm exec` → `sh -c crucial …` → node, and killing npm used to leave the node serving,
 * orphaned, its port taken. Each test starts the command through a wrapper like npx's (a node
 * process, with or without the `sh -c` in between), SIGKILLs the wrapper and polls, within a
 * bounded time, until the server process is gone and its port refuses connections.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../core/cli/bin.js', import.meta.url));
const GONE_WITHIN_MS = 20_000;

// The wrapper: spawns the command with inherited stdio (as npm exec does), through `sh -c` when asked.
const WRAPPER = `
const { spawn } = require('node:child_process');
const [viaShell, ...args] = process.argv.slice(1);
const q = (s) => "'" + s.replace(/'/g, "'\\\\''") + "'";
const child = viaShell === 'sh'
  ? spawn('sh', ['-c', [process.execPath, ...args].map(q).join(' ')], { stdio: 'inherit' })
  : spawn(process.execPath, args, { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));
`;

/** pid, state and parent of every process (Linux /proc). */
function processes(): { pid: number; state: string; ppid: number }[] {
  const out: { pid: number; state: string; ppid: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), state: state!, ppid: Number(ppid) });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** The node process under `root` (its child, or its grandchild through `sh -c`). */
function serverUnder(root: number): number {
  const all = processes();
  const kids = (p: number) => all.filter((x) => x.ppid === p).map((x) => x.pid);
  const direct = kids(root);
  for (const k of direct) {
    if (readFileSync(`/proc/${k}/comm`, 'utf8').trim() !== 'sh') return k;
    const [grand] = kids(k);
    if (grand !== undefined) return grand;
  }
  throw new Error(`no server process under ${root}`);
}

/** Running means present and not a zombie (an orphan's zombie waits for an init that may be slow to reap). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(false); });
    s.once('error', () => resolve(true));
  });
}

/** Starts BIN with `args` under a wrapper; resolves with the wrapper, the server's port and its output so far. */
async function startWrapped(viaShell: boolean, args: string[], ready: RegExp): Promise<{ wrapper: ChildProcess; port: number; out: () => string }> {
  const wrapper = spawn(process.execPath, ['-e', WRAPPER, viaShell ? 'sh' : 'direct', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  wrapper.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    wrapper.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve(Number(m[1]));
    });
    wrapper.once('exit', (code) => reject(new Error(`wrapper exited ${code} before ready: ${out}`)));
  });
  return { wrapper, port, out: () => out };
}

/** SIGKILLs the wrapper and polls until the server is gone and its port free, or fails after GONE_WITHIN_MS. */
async function killWrapperAndAwaitServerGone(w: { wrapper: ChildProcess; port: number; out: () => string }): Promise<void> {
  const server = serverUnder(w.wrapper.pid!);
  assert.ok(running(server));
  w.wrapper.removeAllListeners('exit');
  const exited = once(w.wrapper, 'exit');
  // The server holds the write end of the pipe (inherited): its end is the server's last output.
  const ended = once(w.wrapper.stdout!, 'end');
  w.wrapper.kill('SIGKILL');
  await exited;
  const deadline = Date.now() + GONE_WITHIN_MS;
  for (;;) {
    if (!running(server) && await refused(w.port)) {
      await ended;
      return;
    }
    if (Date.now() > deadline) {
      process.kill(server, 'SIGKILL');
      assert.fail(`server ${server} still ${running(server) ? 'running' : 'gone but its port open'} ${GONE_WITHIN_MS} ms after its wrapper was killed: ${w.out()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crucial long-running commands end with their wrapper', function () {
  this.timeout(90_000);

  it('cli - dso start under an npx-like `sh -c` wrapper: SIGKILL of the wrapper stops the node and frees its port', async () => {
    const w = await startWrapped(true, ['dso', 'start', '--port', '0'], /ready at tcp:\/\/127\.0\.0\.1:(\d+)/);
    await killWrapperAndAwaitServerGone(w);
    assert.match(w.out(), /crucial dso stopped \(process \d+ that started it through sh -c \(\d+\) exited\)/);
  });

  it('cli - dso start under a direct wrapper: SIGKILL of the wrapper stops the node', async () => {
    const w = await startWrapped(false, ['dso', 'start', '--port', '0', '--insecure'], /ready at tcp:\/\/127\.0\.0\.1:(\d+)/);
    await killWrapperAndAwaitServerGone(w);
    assert.match(w.out(), /crucial dso stopped \(parent process \d+ exited\)/);
  });

  it('cli - ml serve under an npx-like `sh -c` wrapper: SIGKILL of the wrapper stops the server and frees its port', async () => {
    const w = await startWrapped(true, ['ml', 'serve', '--port', '0', '--poll-ms', '0'], /ml serve ready at http:\/\/127\.0\.0\.1:(\d+)/);
    await killWrapperAndAwaitServerGone(w);
    assert.match(w.out(), /crucial ml serve stopped \(process \d+ that started it through sh -c/);
  });

  it('cli - --detach is offered by both commands', async () => {
    for (const cmd of [['dso', 'start'], ['ml', 'serve']]) {
      const help = spawn(process.execPath, [BIN, ...cmd, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      help.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      await once(help, 'exit');
      assert.match(out, /--detach/, cmd.join(' '));
    }
  });
});
