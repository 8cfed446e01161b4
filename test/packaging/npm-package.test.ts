/**
 * The npm package as a user outside the repository gets it: `npm pack` (prepack builds dist/), the
 * tarball installed into a scratch project under the OS temp dir, then with plain `node` the seed's
 * Listing 1 in JavaScript, a strict `tsc --noEmit` of a TypeScript program against the shipped
 * .d.ts (and a wrong program that must fail), `npx crucial dso start --help`, Listing 1 in
 * TypeScript with decorators under tsx, and the same on the Node 22 runtime from the registry (the
 * `node` npm package), with a TypeScript task module loaded through Node's type stripping.
 * Installs resolve from the local npm cache first (`--prefer-offline`).
 */
import { strict as assert } from 'node:assert';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const APP = join(ROOT, 'test', 'packaging', 'app');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const version = (pkg: string): string => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;

interface Run { code: number; stdout: string; stderr: string }

/** Runs a command to its end; never rejects, so a test can assert on a failing exit too. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  // The child is a user's program: none of this test process's crucial or loader settings leak in.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CRUCIAL_') && k !== 'NODE_OPTIONS' && !k.startsWith('TSX')));
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env: { ...clean, ...env }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}`);
  return r.stdout;
}

const lastJson = (out: string): Record<string, number> => JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? '{}');

describe('npm package (packed, installed into a scratch project outside the repo)', function () {
  this.timeout(240_000);
  let scratch = '';
  let app = '';
  let node22 = '';

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'crucial-npm-package-'));
    const packed = ok(await run(NPM, ['pack', '--pack-destination', scratch, '--loglevel=error', '--json'], ROOT), 'npm pack');
    const tarball = join(scratch, (JSON.parse(packed.slice(packed.indexOf('['))) as { filename: string }[])[0]!.filename);
    app = join(scratch, 'app');
    cpSync(APP, app, { recursive: true });
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true, type: 'module' }));
    ok(await run(NPM, ['install', tarball, `typescript@${version('typescript')}`, `@types/node@${version('@types/node')}`,
      '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app), 'npm install of the tarball');
  });

  after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

  it('npm package - ships compiled JS, declarations and source maps, no TypeScript sources, and needs no tsx', () => {
    const pkg = join(app, 'node_modules', 'crucial');
    const files = (readdirSync(pkg, { recursive: true }) as string[]).map((f) => f.replaceAll('\\', '/'));
    assert.ok(files.includes('dist/core/index.js') && files.includes('dist/core/index.d.ts') && files.includes('dist/core/index.js.map'), 'dist entry, types, map');
    assert.ok(files.includes('dist/workers/local/worker.js'), 'compiled worker');
    assert.deepEqual(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], 'TypeScript sources in the package');
    assert.equal(existsSync(join(app, 'node_modules', 'tsx')), false, 'tsx was installed with crucial');
  });

  it('npm package - plain node runs Listing 1 (CloudThread + AtomicLong, JavaScript)', async () => {
    const { pi } = lastJson(ok(await run(process.execPath, ['listing1.js'], app), 'node listing1.js'));
    // 400,000 samples: the estimate's standard deviation is about 0.0026.
    assert.ok(Math.abs(pi! - Math.PI) < 0.05, `pi estimate ${pi}`);
  });

  it('npm package - plain node: a @Shared class (decorator called, no syntax) runs its methods on the embedded node', async () => {
    const out = JSON.parse(ok(await run(process.execPath, ['shared-class.js'], app), 'node shared-class.js').trim().split('\n').at(-1)!);
    assert.deepEqual(out, { balance: 16, refused: 'RangeError: deposit of -1' });
  });

  it("npm package - crucial/node serves a node in process, and 'crucial' alone loads neither the node nor apache-arrow", async () => {
    const program = `import { startDso } from 'crucial/node';
      import { connect } from 'crucial';
      const node = await startDso({ host: '127.0.0.1', port: 0 });
      const c = connect(node.address);
      const n = await c.call('AtomicLong', 'n', 'addAndGet', [2n]);
      await c.close(); await node.close();
      console.log(JSON.stringify({ n: String(n) }));`;
    writeFileSync(join(app, 'node-entry.mjs'), program);
    assert.deepEqual(lastJson(ok(await run(process.execPath, ['node-entry.mjs'], app), 'node node-entry.mjs')), { n: '2' });
    // test/fixtures/import-trace records every module resolved, packages' entries included.
    const trace = pathToFileURL(join(ROOT, 'test', 'fixtures', 'import-trace', 'register.mjs')).href;
    const probe = "await import('crucial'); const { default: list } = await import('import-trace:list'); " +
      "console.log(JSON.stringify({ traced: list.some((u) => u.endsWith('/crucial/dist/core/index.js')), " +
      "loaded: list.filter((u) => /node_modules\\/(apache-arrow|piscina|esbuild|zeromq)\\/|\\/dist\\/(dso|pmem)\\//.test(u)), " +
      // dist/ is bundled (scripts/build.mjs): the node's code would sit in a shared chunk, named by hash.
      "node: list.filter((u) => u.includes('/crucial/dist/') && /class DsoNode\\b|\\bDsoNode\\s*=\\s*class\\b/.test(readFileSync(new URL(u), 'utf8'))) }));";
    const imported = lastJson(ok(await run(process.execPath, ['--import', trace, '--input-type=module', '-e', `import { readFileSync } from 'node:fs'; ${probe}`], app), 'import crucial'));
    assert.deepEqual(imported, { traced: true, loaded: [], node: [] });
  });

  it('npm package - crucial/ml under plain node: a dataset written and read back by row range, a model published to a node and loaded', async () => {
    const program = `import { writeDataset, readRows, ModelStore, MODEL_FORMAT } from 'crucial/ml';
      import { startDso } from 'crucial/node';
      import { connect } from 'crucial';
      await writeDataset('ds.arrow', { X: Float64Array.from({ length: 20 }, (_, i) => i), y: new Float64Array(10), nRows: 10, nCols: 2, featureNames: ['a', 'b'] }, { batchRows: 3 });
      const part = await readRows('ds.arrow', 4, 7);
      const node = await startDso({ host: '127.0.0.1', port: 0 });
      const c = connect(node.address);
      const store = new ModelStore({ connection: c });
      const v = await store.publish('m', { format: MODEL_FORMAT, algorithm: 'kmeans', params: {}, meta: { nFeatures: 2 },
        arrays: { centroids: { dtype: 'float64', shape: [1, 2], data: Float64Array.of(1.5, 2.5) } } });
      const m = await store.load('m');
      await c.close(); await node.close();
      console.log(JSON.stringify({ x: Array.from(part.X), v, c: Array.from(m.arrays.centroids.data) }));`;
    writeFileSync(join(app, 'ml-entry.mjs'), program);
    assert.deepEqual(lastJson(ok(await run(process.execPath, ['ml-entry.mjs'], app), 'node ml-entry.mjs')), { x: [8, 9, 10, 11, 12, 13], v: 1, c: [1.5, 2.5] });
  });

  it('npm package - a strict TypeScript program type-checks against the shipped .d.ts; a wrong one does not', async () => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(await run(process.execPath, [tsc, '--noEmit', '-p', '.'], app), 'tsc --noEmit');
    writeFileSync(join(app, 'wrong.ts'), "import { AtomicLong } from 'crucial';\nexport const wrong: string = await new AtomicLong('x').get();\n");
    const wrong = await run(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node', 'wrong.ts'], app);
    assert.notEqual(wrong.code, 0, 'a bigint assigned to a string type-checked');
    assert.match(wrong.stdout, /TS2322: Type 'bigint' is not assignable to type 'string'/);
  });

  it('npm package - `npx crucial dso start --help` prints the command\'s options', async () => {
    const out = ok(await run(NPM, ['exec', '--offline', '--', 'crucial', 'dso', 'start', '--help'], app), 'npx crucial dso start --help');
    assert.match(out, /Usage: crucial dso start/);
    assert.match(out, /--port <port>/);
    // The installed package finds its own manifest for --version (dist/ sits elsewhere than the sources).
    const v = ok(await run(NPM, ['exec', '--offline', '--', 'crucial', '--version'], app), 'npx crucial --version');
    assert.equal(v.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('npm package - `crucial dso start --pmem` builds the optional pmem addon on first use and serves', async () => {
    // The addon's sources ship in dist/pmem/native; node-gyp (npm's own) builds them where the
    // package is installed. This machine has a compiler; without one only --pmem is unavailable.
    const bin = join(app, 'node_modules', 'crucial', 'core', 'cli', 'bin.js');
    const child = spawn(process.execPath, [bin, 'dso', 'start', '--port', '0', '--pmem', join(scratch, 'node.pmem')], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (/ready at tcp:\/\//.test(out)) resolve(); });
      child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${out.slice(-3000)}`)));
    });
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, out);
    assert.match(out, /restored 0 persistent objects/);
    assert.ok(existsSync(join(app, 'node_modules', 'crucial', 'dist', 'pmem', 'native', 'build', 'Release', 'pmem.node')), 'addon built');
  });

  it('npm package - under tsx, Listing 1 with decorators in a TypeScript task module', async () => {
    ok(await run(NPM, ['install', `tsx@${version('tsx')}`, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app), 'npm install tsx');
    const { pi } = lastJson(ok(await run(join(app, 'node_modules', '.bin', 'tsx'), ['listing1-tsx.ts'], app), 'tsx listing1-tsx.ts'));
    assert.ok(Math.abs(pi! - Math.PI) < 0.05, `pi estimate ${pi}`);
  });

  describe('on Node 22 (the `node` runtime package from the registry)', () => {
    before(async () => {
      const dir = join(scratch, 'node22');
      cpSync(join(app, 'package.json'), join(dir, 'package.json'));
      ok(await run(NPM, ['install', 'node@22', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir), 'npm install node@22');
      node22 = join(dir, 'node_modules', 'node', 'bin', 'node');
      assert.match(ok(await run(node22, ['--version'], dir), 'node22 --version'), /^v22\./);
    });

    it('npm package - Node 22 runs Listing 1 (JavaScript) and `crucial dso start --help`', async () => {
      const { pi } = lastJson(ok(await run(node22, ['listing1.js'], app), 'node22 listing1.js'));
      assert.ok(Math.abs(pi! - Math.PI) < 0.05, `pi estimate ${pi}`);
      const bin = join(app, 'node_modules', 'crucial', 'core', 'cli', 'bin.js');
      assert.match(ok(await run(node22, [bin, 'dso', 'start', '--help'], app), 'node22 crucial --help'), /Usage: crucial dso start/);
    });

    it('npm package - Node 22 type stripping: a TypeScript program and task module (erasable syntax)', async () => {
      const { total } = lastJson(ok(await run(node22, ['--experimental-strip-types', '--no-warnings', 'strip-main.ts'], app), 'node22 strip-main.ts'));
      assert.equal(total, 1 + 2 + 3 + 4);
    });
  });
});
