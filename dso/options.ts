/**
 * A DSO node's options: what each means, and their checks and defaults (an option out of range
 * refuses the start with ERR_INVALID_OPTION before anything is bound).
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { InvalidOptionError } from '../core/protocol/errors.ts';
import { resolveTransport, type TransportKind } from '../core/protocol/transport/socket.ts';
import { idleSpinOption } from '../core/protocol/transport/idle-spin.ts';
import { parseEndpoint } from '../core/protocol/transport/zmtp/endpoint.ts';
import type { CallLimits } from './limits.ts';
import type { MemoryOptions } from './memory.ts';
import type { AuthOptions } from './auth.ts';

/** Options of a {@link DsoNode}. */
export interface DsoOptions extends Partial<CallLimits>, MemoryOptions, AuthOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 picks a free one. Default 7700. */
  port?: number;
  /** Largest request accepted, all frames together; default 256 MiB. */
  maxPayloadBytes?: number;
  /** Where shipped user modules are written; default `.crucial-cache/modules` in the package root. */
  moduleCacheDir?: string;
  /**
   * Path of a pmem region file for persistent objects (`persistent: true`). They survive a crash
   * and a restart of the node. Without it, `persistent` objects live in memory only.
   */
  pmemPath?: string;
  /** Size of the pmem region when it is created; default 256 MiB. */
  pmemSizeBytes?: number;
  /** `zmtp` (default, or `CRUCIAL_TRANSPORT`) or `libzmq` (zeromq.js); clients of either kind can connect. */
  transport?: TransportKind;
  /**
   * Listen on this listening TCP socket, a file descriptor the process that started the node made and
   * handed down, instead of binding `host:port` (zmtp transport only). The Python package does so to
   * know the node's address before the node has loaded: clients connecting meanwhile wait in the
   * socket's backlog (issue 10, start-up).
   */
  listenFd?: number;
  /**
   * Also listen on a Unix socket at this path (`ipc://path`, zmtp transport only), made mode 0600:
   * clients on this host connect there without TCP (an 8 MB array moves in ~2 ms instead of 3-6).
   * A socket a dead node left there is replaced; anything else at the path is an error.
   */
  ipcPath?: string;
  /**
   * With `ipcPath`: listen on this inherited listening Unix socket, which its maker bound at `ipcPath`,
   * instead of binding the path (the Python package does, as for `listenFd`: clients connect before
   * the node has loaded).
   */
  ipcListenFd?: number;
  /** ES modules (`*.mjs`, `*.js`) to load at start, whatever `allowUpload` says: user classes the node's owner vouches for. */
  modulesDir?: string;
  /**
   * Bind a non-loopback `host` without CURVE anyway (PLAIN sends the token in clear; `insecure`
   * lets anyone in). Default false: such a node refuses to start.
   */
  insecureNetwork?: boolean;
  /**
   * zmtp: PING a client after this long (ms) with nothing from it, default 5000; 0: no PINGs of the
   * node's own. A client that sends no heartbeats itself (its own off, or frozen before its first
   * PING) is otherwise dropped only when TCP notices, and its parked calls wait until then.
   */
  heartbeatIvlMs?: number;
  /** zmtp: drop a client that sends nothing this long (ms) after the node's PING (its link and parked calls go); default 15000. */
  heartbeatTimeoutMs?: number;
  /**
   * After sending a reply, keep the node's event loop turning for up to this long (µs) for the next
   * call instead of sleeping, while the machine has cores to spare (README, "Idle spin"); 0 turns it
   * off. Default: `CRUCIAL_IDLE_SPIN_US`, else 200.
   */
  idleSpinUs?: number;
  /**
   * Whether the node's sockets keep this process alive (default true, as a server's do). false: a
   * node embedded in a program, which ends when the program's own work does (the embedded default's
   * way; zmtp transport only, a libzmq socket always holds the process).
   */
  holdsProcess?: boolean;
  /** The executor service (`$jobs`); each a positive integer, else the node refuses to start (ERR_INVALID_OPTION). */
  jobs?: {
    /** Jobs running at once; later ones queue. Default 4. */
    maxRunning?: number;
    /** How long a finished job's status and result stay readable (ms); default one hour. */
    keepMs?: number;
    /** Finished jobs kept at most (oldest dropped first); default 1000. */
    keepCount?: number;
  };
}

const AUTH_KEYS = ['token', 'tokens', 'curve', 'insecure', 'allowUpload', 'modulesDir', 'insecureNetwork'] as const;

const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export type Validated = Required<Omit<DsoOptions, 'pmemPath' | 'pmemSizeBytes' | 'listenFd' | 'ipcPath' | 'ipcListenFd' | 'jobs' | keyof CallLimits | keyof MemoryOptions | (typeof AUTH_KEYS)[number]>> & Pick<DsoOptions, 'pmemPath' | 'pmemSizeBytes' | 'listenFd' | 'ipcPath' | 'ipcListenFd'>;

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** The node's options checked and defaulted. @throws {InvalidOptionError} on a bad port, size, heartbeat, listenFd, idle spin or transport */
export function validate(opts: DsoOptions): Validated {
  const port = opts.port ?? 7700;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError('options.port must be an integer in 0..65535');
  const max = opts.maxPayloadBytes ?? 256 * 1024 * 1024;
  if (!Number.isInteger(max) || max <= 0) throw new InvalidOptionError('options.maxPayloadBytes must be a positive integer');
  const heartbeatIvlMs = opts.heartbeatIvlMs ?? 5_000;
  const heartbeatTimeoutMs = opts.heartbeatTimeoutMs ?? 15_000;
  if (!Number.isSafeInteger(heartbeatIvlMs) || heartbeatIvlMs < 0) throw new InvalidOptionError('options.heartbeatIvlMs must be a non-negative integer');
  if (!Number.isSafeInteger(heartbeatTimeoutMs) || heartbeatTimeoutMs <= 0) throw new InvalidOptionError('options.heartbeatTimeoutMs must be a positive integer');
  if (opts.listenFd !== undefined && (!Number.isInteger(opts.listenFd) || opts.listenFd < 0)) throw new InvalidOptionError('options.listenFd must be a non-negative integer');
  const transport = resolveTransport(opts.transport);
  if (opts.listenFd !== undefined && transport !== 'zmtp') throw new InvalidOptionError('options.listenFd needs the zmtp transport');
  if (opts.ipcPath !== undefined) {
    if (typeof opts.ipcPath !== 'string') throw new InvalidOptionError('options.ipcPath must be a path (string)');
    parseEndpoint(`ipc://${opts.ipcPath}`);
    if (transport !== 'zmtp') throw new InvalidOptionError('options.ipcPath needs the zmtp transport');
  }
  if (opts.ipcListenFd !== undefined) {
    if (!Number.isInteger(opts.ipcListenFd) || opts.ipcListenFd < 0) throw new InvalidOptionError('options.ipcListenFd must be a non-negative integer');
    if (opts.ipcPath === undefined) throw new InvalidOptionError('options.ipcListenFd needs options.ipcPath, the path its socket is bound at');
  }
  return {
    heartbeatIvlMs,
    heartbeatTimeoutMs,
    host: opts.host ?? '127.0.0.1',
    port,
    maxPayloadBytes: max,
    moduleCacheDir: opts.moduleCacheDir ?? join(PACKAGE_ROOT, '.crucial-cache', 'modules'),
    pmemPath: opts.pmemPath,
    pmemSizeBytes: opts.pmemSizeBytes,
    transport,
    listenFd: opts.listenFd,
    ipcPath: opts.ipcPath,
    ipcListenFd: opts.ipcListenFd,
    idleSpinUs: idleSpinOption(opts.idleSpinUs, 'options.idleSpinUs'),
    holdsProcess: flag(opts.holdsProcess, 'options.holdsProcess', true),
  };
}

function flag(v: unknown, name: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new InvalidOptionError(`${name} must be true or false`);
  return v;
}
