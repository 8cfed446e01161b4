/** The `crucial` command line. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { startDso } from '../../dso/node.ts';
import type { TransportKind } from '../protocol/transport/socket.ts';
import { prepareAuth, type AuthFlags } from '../../dso/auth-files.ts';
import { InvalidOptionError } from '../protocol/errors.ts';
import { installProcessGuard } from '../../dso/guard.ts';
import { detachedByNohup, watchParent } from './parent-watch.ts';
import { createRequire } from 'node:module';

// Set by the bundle the Python wheel carries (scripts/bundle-python-node.mjs), which has no manifest
// beside it; the sources and dist/ read the package's own by its name.
declare const __CRUCIAL_VERSION__: string | undefined;
const version = typeof __CRUCIAL_VERSION__ === 'string' ? __CRUCIAL_VERSION__ : (createRequire(import.meta.url)('crucial/package.json') as { version: string }).version;

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be an integer in 0..65535');
  return n;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

const program = new Command('crucial')
  .description('stateful serverless computing: cloud threads sharing linearizable objects on a DSO layer')
  .version(version, '-V, --version', 'print the version of crucial')
  .showHelpAfterError();

const dso = program.command('dso').description('run a distributed shared objects (DSO) node');
dso
  .command('start')
  .description('start a DSO node and serve until SIGINT or SIGTERM')
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--port <port>', 'TCP port (0 picks a free one)', port, 7700)
  .option('--max-payload <bytes>', 'largest request accepted', positiveInt, 256 * 1024 * 1024)
  .option('--pmem <file>', 'pmem region file for persistent objects (survive crash and restart)')
  .addOption(new Option('--transport <kind>', 'zmtp (crucial\'s ZMTP over node:net) or libzmq (zeromq.js); both speak ZMTP 3 to any client')
    .choices(['zmtp', 'libzmq']).env('CRUCIAL_TRANSPORT').default('zmtp'))
  .option('--token-file <path>', 'file holding the PLAIN token of the node (made, mode 0600, if missing); default: a new token in the runtime file dso-<port>.token')
  .option('--tokens <file>', 'JSON {"namespace": "token", ...}: one token per tenant, each in its own namespace')
  .option('--curve <dir>', 'CURVE (encryption, clients known by key), needed off loopback: server.json, clients.json and client.json in DIR (made if missing)')
  .option('--insecure', 'no authentication at all (NULL): anyone who reaches the port may call; loopback only')
  .option('--insecure-network', 'bind a non-loopback host without CURVE anyway (PLAIN sends the token in clear)')
  .option('--allow-upload', 'let clients upload code ($system.loadModule: their @Shared classes run in this process)')
  .option('--modules <dir>', 'ES modules to load at start (user classes this node vouches for), whatever --allow-upload says')
  .option('--max-work <iterations>', 'loop iterations one call may run (AtomicLong.multiply\'s times); more is refused with ERR_LIMIT', positiveInt, 10_000_000)
  .option('--max-object-bytes <bytes>', 'bytes one object may be created with or grow to in one call; more is refused with ERR_LIMIT', positiveInt, 256 * 1024 * 1024)
  .option('--max-memory <bytes>', 'memory budget: caches and buffers draw from it, over it new calls get ERR_OVERLOADED (default: half the machine\'s memory, at most 4 GiB)', positiveInt)
  .option('--read-timeout <ms>', 'drop a connection whose started request gets no byte for this long (0 = never)', nonNegative, 30_000)
  .option('--heartbeat-ivl <ms>', 'ZMTP PING to a client heard nothing from for this long (0 = never; zmtp transport)', nonNegative, 5_000)
  .option('--heartbeat-timeout <ms>', 'drop a client that answers no PING for this long; its parked calls are withdrawn', nonNegative, 15_000)
  .option('--ipc <path>', 'also listen on a Unix socket at this path (ipc://path, mode 0600; zmtp transport): clients on this host skip TCP, large arrays move ~2x faster')
  .option('--idle-spin <µs>', 'after a reply, keep polling for the next call this long before sleeping, while the machine has cores to spare (0 = off; default CRUCIAL_IDLE_SPIN_US, else 200)', nonNegative)
  .option('--max-jobs <n>', 'executor service ($jobs): jobs running at once, later ones queue', positiveInt, 4)
  .option('--jobs-keep <count>', 'executor service: finished jobs whose status and result stay readable (oldest dropped first; each also at most an hour)', positiveInt, 1000)
  .option('--detach', 'keep serving when the process that started this one exits (default: stop as on SIGTERM within ~1 s, so killing a wrapper such as npx does not leave an orphan holding the port; implied under nohup)')
  .action(async (opts: { host: string; port: number; maxPayload: number; pmem?: string; transport: TransportKind } & AuthFlags & { insecureNetwork?: boolean; allowUpload?: boolean; modules?: string }
    & { maxWork: number; maxObjectBytes: number; maxMemory?: number; readTimeout: number; heartbeatIvl: number; heartbeatTimeout: number; idleSpin?: number; ipc?: string; maxJobs: number; jobsKeep: number; detach?: boolean }) => {
    // This process is the node's own: an object's stray throw is logged, not the end of everyone's node (dso/guard.ts).
    installProcessGuard();
    let auth: ReturnType<typeof prepareAuth>;
    let node: Awaited<ReturnType<typeof startDso>>;
    try {
      auth = prepareAuth(opts, opts.port, opts.ipc);
      for (const line of auth.notes) console.log(line);
      node = await startDso({
        host: opts.host, port: opts.port, maxPayloadBytes: opts.maxPayload, pmemPath: opts.pmem, transport: opts.transport,
        ...auth.options, insecureNetwork: opts.insecureNetwork, allowUpload: opts.allowUpload, modulesDir: opts.modules,
        maxWorkPerCall: opts.maxWork, maxObjectBytes: opts.maxObjectBytes, maxMemoryBytes: opts.maxMemory, readTimeoutMs: opts.readTimeout,
        heartbeatIvlMs: opts.heartbeatIvl, heartbeatTimeoutMs: opts.heartbeatTimeout, idleSpinUs: opts.idleSpin, ipcPath: opts.ipc,
        jobs: { maxRunning: opts.maxJobs, keepCount: opts.jobsKeep },
      });
    } catch (err) {
      // A refused configuration (off loopback without CURVE, a secret file others can read) says why, without a stack;
      // anything else (a pmem region that cannot be trusted, EADDRINUSE) with it. Either way the node never listened.
      if (err instanceof InvalidOptionError) {
        console.error(`crucial dso start: ${err.message}`);
        process.exit(2);
      }
      // The address is taken or not ours: the user's to fix, and the message says all of it.
      const code = (err as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        const hint = code === 'EADDRINUSE' ? ': another process listens there; stop it, or pick another --port (0 takes a free one)' : '';
        console.error(`crucial dso start: cannot listen (${(err as Error).message})${hint}`);
        process.exit(1);
      }
      console.error(err);
      process.exit(1);
    }
    if (opts.pmem) console.log(`crucial dso restored ${node.restored} persistent objects from ${opts.pmem}`);
    if (node.modulesSkipped > 0) console.log(`crucial dso did not load ${node.modulesSkipped} modules stored in ${opts.pmem} (upload not allowed): objects of their classes stay stored but unused; --allow-upload runs them`);
    const runtime = auth.writeRuntime(Number(/:(\d+)$/.exec(node.address)![1]));
    if (runtime.length > 0) console.log(`crucial dso credentials in ${runtime.join(' and ')} (mode 0600): clients of this user on this machine find them; elsewhere set CRUCIAL_TOKEN_FILE`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      auth.removeRuntime();
      await node.close();
      console.log(`crucial dso stopped (${signal})`);
      process.exit(0);
    };
    // Before the ready line: a supervisor that signals as soon as it reads it gets a clean stop.
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (!opts.detach && !detachedByNohup()) watchParent((reason) => void stop(reason));
    if (node.ipcAddress) console.log(`crucial dso also at ${node.ipcAddress} (this host's clients; same credentials)`);
    // One line a supervisor (or a test) can wait for: the address clients put in CRUCIAL_DSO.
    console.log(`crucial dso ready at ${node.address}`);
  });

function nonNegative(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

const ml = program.command('ml').description('machine learning on crucial (crucial/ml)');
ml
  .command('serve')
  .description('serve the models in the DSO (CRUCIAL_DSO, or an embedded node) over the Open Inference Protocol (KServe V2 REST) until SIGINT or SIGTERM')
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--port <port>', 'TCP port (0 picks a free one)', port, 8080)
  .option('--model <name...>', 'models to load at start (ready once loaded); any other published model is served on first request')
  .option('--batch-size <rows>', 'micro-batching: rows per predict call at most (1 = off)', positiveInt, 64)
  .option('--batch-wait-us <us>', 'micro-batching: how long a batch waits for more requests (0 = one event-loop turn)', nonNegative, 0)
  .option('--poll-ms <ms>', 'how often to look for a newly published version (0 = never)', nonNegative, 1000)
  .option('--detach', 'keep serving when the process that started this one exits (default: stop as on SIGTERM within ~1 s, so killing a wrapper such as npx does not leave an orphan holding the port; implied under nohup)')
  .action(async (opts: { host: string; port: number; model?: string[]; batchSize: number; batchWaitUs: number; pollMs: number; detach?: boolean }) => {
    // Loaded here so `crucial dso start` does not load fastify.
    const { startModelServer } = await import('../../ml/serve/server.ts');
    const { shutdown, dsoAddress } = await import('../client/context.ts');
    const server = await startModelServer({
      host: opts.host, port: opts.port, models: opts.model ?? [],
      batchSize: opts.batchSize, batchWaitUs: opts.batchWaitUs, pollMs: opts.pollMs,
    });
    server.events.on('version', (name: string, version: number) => console.log(`crucial ml serve: ${name} version ${version} live`));
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      await server.close();
      await shutdown();
      console.log(`crucial ml serve stopped (${signal})`);
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    if (!opts.detach && !detachedByNohup()) watchParent((reason) => void stop(reason));
    console.log(`crucial ml serve ready at ${server.url} (models from the DSO at ${await dsoAddress()})`);
  });

await program.parseAsync(process.argv);
