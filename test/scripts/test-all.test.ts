/**
 * The test command's self-test: `scripts/test-all.sh` run on the fixture suites of
 * test/fixtures/runner (through its CRUCIAL_TEST_* variables, installs skipped or done by stand-ins)
 * exits non-zero, with a closing line that shows a failure, for each way a run can go wrong, and
 * exits 0 with the exact totals for a clean suite.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../examples/helpers.ts';

const TS = 'test/fixtures/runner/ts';
const PY = 'test/fixtures/runner/py';

interface Outcome {
  code: number;
  stdout: string;
  /** The closing line's three numbers. */
  totals: { passed: number; failed: number; skipped: number };
}

describe('scripts/test-all.sh', function () {
  this.timeout(60_000);
  let tmp: string;
  let standIns: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'crucial-runner-selftest-'));
    // Stand-ins for the install tools: npm and pip fail on demand, redis-server is "installed".
    standIns = join(tmp, 'bin');
    const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const scripts: Record<string, string> = {
      npm: `case "$1" in
  install) [ "$STANDIN_NPM_INSTALL" = fail ] && { echo "stand-in npm: registry unreachable" >&2; exit 1; }; exit 0 ;;
  run) [ "$STANDIN_ADDON_BUILD" = fail ] && { echo "stand-in build: no compiler" >&2; exit 1; }; exit 0 ;;
esac
exit 0`,
      python3: `if [ "$1" = -m ] && [ "$2" = pip ]; then
  [ "$STANDIN_PIP" = fail ] && { echo "stand-in pip: no matching distribution" >&2; exit 1; }; exit 0
fi
exec ${python} "$@"`,
      'redis-server': 'exit 0',
    };
    await mkdir(standIns);
    for (const [name, body] of Object.entries(scripts)) {
      await writeFile(join(standIns, name), `#!/bin/sh\n${body}\n`);
      await chmod(join(standIns, name), 0o755);
    }
  });
  after(async () => { await rm(tmp, { recursive: true, force: true }); });

  /** Runs the test command with installs skipped unless `env` says otherwise, and none of the caller's test settings. */
  function run(env: Record<string, string>): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('CRUCIAL_TEST_') && k !== 'PYTEST_TIMEOUT');
      const full: NodeJS.ProcessEnv = { ...Object.fromEntries(inherited), TMPDIR: tmp, CRUCIAL_TEST_SKIP_INSTALL: '1', ...env };
      execFile('bash', ['scripts/test-all.sh'], { cwd: ROOT, env: full, timeout: 50_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(new Error(`the test command did not finish: ${err.message}\n${stdout}${stderr}`));
        const last = stdout.trimEnd().split('\n').at(-1) ?? '';
        const m = /^(\d+) passed, (\d+) failed, (\d+) skipped$/.exec(last);
        if (!m) return reject(new Error(`the closing line is not "N passed, N failed, N skipped": ${JSON.stringify(last)}\n${stdout}`));
        resolve({ code: err ? (err.code as number) : 0, stdout, totals: { passed: +m[1]!, failed: +m[2]!, skipped: +m[3]! } });
      });
    });
  }

  /** The run failed: non-zero exit, and the closing line says so. */
  function assertFailed(o: Outcome, totals: Outcome['totals'], reason?: RegExp): void {
    assert.notEqual(o.code, 0, o.stdout);
    assert.deepEqual(o.totals, totals, o.stdout);
    if (reason) assert.match(o.stdout, reason);
  }

  it('test-all - a clean suite exits 0 and its closing line totals mocha, the type check and pytest', async () => {
    const o = await run({
      CRUCIAL_TEST_MOCHA_SPEC: `${TS}/clean.fixture.ts`,
      CRUCIAL_TEST_TSC_PROJECT: `${TS}/tsconfig.json`,
      CRUCIAL_TEST_PYTEST_PATHS: `${PY}/clean`,
    });
    assert.equal(o.code, 0, o.stdout);
    assert.deepEqual(o.totals, { passed: 2 + 1 + 3, failed: 0, skipped: 0 });
  });

  it('test-all - a failing test is counted from the reports, next to the passing ones', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'ts', CRUCIAL_TEST_MOCHA_SPEC: `${TS}/clean.fixture.ts ${TS}/failing.fixture.ts` });
    assertFailed(o, { passed: 3, failed: 1, skipped: 0 });
  });

  it('test-all - a stray it.only fails the run instead of running that test alone', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'ts', CRUCIAL_TEST_MOCHA_SPEC: `${TS}/only.fixture.ts ${TS}/clean.fixture.ts` });
    assertFailed(o, { passed: 0, failed: 1, skipped: 0 }, /forbidden by --forbid-only/);
  });

  it('test-all - pending and skipped mocha tests fail the run', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'ts', CRUCIAL_TEST_MOCHA_SPEC: `${TS}/pending.fixture.ts` });
    assertFailed(o, { passed: 1, failed: 2, skipped: 0 }, /Pending test forbidden/);
  });

  it('test-all - mocha exiting 0 without a report fails, and the type check alone does not count as a pass', async () => {
    const o = await run({
      CRUCIAL_TEST_SUITES: 'ts,types',
      CRUCIAL_TEST_MOCHA_SPEC: `${TS}/exits-early.fixture.ts`,
      CRUCIAL_TEST_TSC_PROJECT: `${TS}/tsconfig.json`,
    });
    assertFailed(o, { passed: 0, failed: 1, skipped: 0 }, /mocha exited 0 without a usable JUnit report/);
  });

  it('test-all - a mocha test that never ends is stopped by the overall limit', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'ts', CRUCIAL_TEST_MOCHA_SPEC: `${TS}/hang.fixture.ts`, CRUCIAL_TEST_MOCHA_LIMIT: '3' });
    assertFailed(o, { passed: 0, failed: 1, skipped: 0 }, /mocha was stopped at its time limit/);
  });

  it('test-all - a pytest collection error fails the run and the other modules still run', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'py', CRUCIAL_TEST_PYTEST_PATHS: `${PY}/broken/test_runner_collection_error.py ${PY}/broken/test_runner_passes.py` });
    assertFailed(o, { passed: 1, failed: 1, skipped: 0 }, /crucial_runner_fixture_no_such_module/);
  });

  it('test-all - a hanging pytest test fails at its per-test timeout and the session goes on', async () => {
    const o = await run({
      CRUCIAL_TEST_SUITES: 'py',
      CRUCIAL_TEST_PYTEST_PATHS: `${PY}/broken/test_runner_hang.py ${PY}/broken/test_runner_passes.py`,
      PYTEST_TIMEOUT: '2',
    });
    assertFailed(o, { passed: 1, failed: 1, skipped: 0 }, /Timeout \(>2\.0s\)/);
  });

  it('test-all - pytest skips (importorskip of a missing module, pytest.skip) are counted and fail the run', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'py', CRUCIAL_TEST_PYTEST_PATHS: `${PY}/broken/test_runner_skips.py` });
    assertFailed(o, { passed: 0, failed: 1, skipped: 2 }, /pytest skipped 2 tests/);
  });

  it('test-all - pytest collecting nothing (exit 5) fails the run', async () => {
    const o = await run({ CRUCIAL_TEST_SUITES: 'py', CRUCIAL_TEST_PYTEST_PATHS: `${PY}/empty` });
    assertFailed(o, { passed: 0, failed: 1, skipped: 0 }, /pytest exited 5/);
  });

  it('test-all - a failed npm install stops the run with a failure', async () => {
    const o = await run({ CRUCIAL_TEST_SKIP_INSTALL: '0', PATH: `${standIns}:${process.env.PATH}`, STANDIN_NPM_INSTALL: 'fail', CRUCIAL_TEST_SUITES: 'py', CRUCIAL_TEST_PYTEST_PATHS: `${PY}/clean` });
    assertFailed(o, { passed: 0, failed: 1, skipped: 0 }, /npm install failed/);
  });

  it('test-all - a failed pip install and a failed addon build each count as a failure', async () => {
    const o = await run({
      CRUCIAL_TEST_SKIP_INSTALL: '0', PATH: `${standIns}:${process.env.PATH}`, STANDIN_PIP: 'fail', STANDIN_ADDON_BUILD: 'fail',
      CRUCIAL_TEST_SUITES: 'py', CRUCIAL_TEST_PYTEST_PATHS: `${PY}/clean`,
    });
    assertFailed(o, { passed: 3, failed: 2, skipped: 0 }, /failed step: the pmem native addon did not build/);
    assert.match(o.stdout, /failed step: pip install -e '\.\[test\]' failed/);
  });
});
