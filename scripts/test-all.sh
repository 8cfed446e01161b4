#!/usr/bin/env bash
# Runs the whole test suite (TypeScript with mocha, the type check, Python with pytest) on a fresh
# machine: installs what it needs first, then prints one closing line for all of it:
#
#   N passed, N failed, N skipped
#
# Counts are read from the JUnit XML reports of mocha and pytest (scripts/count-junit.py), not from
# their terminal text. Whatever goes wrong fails the run (non-zero exit) and shows in the closing
# line: "failed" counts the failing tests plus one for each step that went wrong without a failing
# test to show for it, each named on a line of its own above the closing line:
#   - an install or build step that failed (apt, npm, pip, the pmem addon);
#   - a runner that exited non-zero with no failing test in its report (e.g. mocha refusing a stray
#     `.only`, pytest exit 5 "nothing collected"), or that was stopped at its time limit;
#   - a runner with no readable report or an empty one (e.g. mocha exiting 0 without running);
#   - skipped tests: mocha's config forbids `.only` and pending tests, and a pytest skip (a missing
#     `importorskip` module, an absent server) fails the run here; skips are still counted.
# The type check counts as one test, and only next to a real mocha count.
# Hangs are bounded: mocha's per-test timeout (.mocharc.json), pytest-timeout (pyproject.toml,
# PYTEST_TIMEOUT overrides it), and an overall limit on each runner as the last resort.
#
# Environment, for CI and for the runner's self-test (test/scripts/test-all.test.ts), which points it
# at fixture suites:
#   CRUCIAL_TEST_SKIP_INSTALL=1  skip the install and build steps
#   CRUCIAL_TEST_SUITES          comma-separated subset of ts,types,py (default: all three)
#   CRUCIAL_TEST_MOCHA_SPEC      spec globs (space-separated) replacing the spec of .mocharc.json
#   CRUCIAL_TEST_PYTEST_PATHS    pytest paths (space-separated), default bridges/python/tests
#   CRUCIAL_TEST_TSC_PROJECT     tsconfig of the type check, default the repo's
#   CRUCIAL_TEST_MOCHA_LIMIT     overall limit of the mocha run, seconds (default 2400)
#   CRUCIAL_TEST_PYTEST_LIMIT    overall limit of the pytest run, seconds (default 1500)
#   PYTEST_TIMEOUT               per-test limit of pytest, seconds
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/crucial-test.XXXXXX")
# The nodes the suite starts write their runtime token files here, not into the user's own runtime
# directory: a run leaves nothing behind there, and a node the user runs meanwhile is not disturbed.
export CRUCIAL_RUNTIME_DIR="$LOG_DIR/runtime"
SUITES=",${CRUCIAL_TEST_SUITES:-ts,types,py},"
MOCHA_LIMIT=${CRUCIAL_TEST_MOCHA_LIMIT:-2400}
PYTEST_LIMIT=${CRUCIAL_TEST_PYTEST_LIMIT:-1500}

passed=0; failed=0; skipped=0
problems=()

step() { printf '\n== %s\n' "$*"; }
# A step that went wrong without a failing test to show for it: one more failure, named at the end.
problem() { echo "FAILED: $*"; problems+=("$*"); failed=$((failed + 1)); }
wants() { [[ $SUITES == *",$1,"* ]]; }

finish() {
  echo
  echo "logs and reports: $LOG_DIR"
  if [ $((passed + failed + skipped)) -eq 0 ]; then problem "no test ran"; fi
  for p in "${problems[@]}"; do echo "failed step: $p"; done
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ] && exit 0
  exit 1
}

# Adds a runner's report to the totals. $1 name, $2 runner exit status, $3 JUnit report.
count_report() {
  local name=$1 status=$2 report=$3 counts p f s
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    # Both runners write their report when the run ends: a stopped run has none.
    problem "$name was stopped at its time limit (exit $status)"
    return 1
  fi
  if ! counts=$(python3 scripts/count-junit.py "$report" 2>"$LOG_DIR/count.err"); then
    problem "$name exited $status without a usable JUnit report ($(cat "$LOG_DIR/count.err"))"
    return 1
  fi
  read -r p f s <<<"$counts"
  echo "$name: $p passed, $f failed, $s skipped (from $report)"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    problem "$name exited $status with no failing test in its report"
  fi
  if [ "$s" -gt 0 ]; then
    problem "$name skipped $s tests: skips are not allowed, a test either runs or is removed"
  fi
  return 0
}

if [ "${CRUCIAL_TEST_SKIP_INSTALL:-}" != 1 ]; then
  step "install: system packages"
  if ! command -v redis-server >/dev/null 2>&1; then
    if ! (apt-get update -qq && apt-get install -y -qq redis-server) >"$LOG_DIR/apt.log" 2>&1; then
      tail -20 "$LOG_DIR/apt.log"
      problem "apt-get install redis-server failed (see $LOG_DIR/apt.log)"
    fi
  fi

  step "install: npm packages"
  # `npm install` (which follows package-lock.json) rather than `npm ci`: the registry reachable here
  # does not serve some platform-only optional packages (msgpackr-extract for macOS/Windows), so no
  # lock file written here lists them and `npm ci` refuses the lock as out of sync.
  if ! npm install --no-audit --no-fund --loglevel=error; then
    problem "npm install failed: no test can run"
    finish
  fi
  if [ -f pmem/native/binding.gyp ]; then
    step "build: pmem native addon"
    npm run --silent pmem:build || problem "the pmem native addon did not build"
  fi

  if [ -f pyproject.toml ]; then
    step "install: python package"
    if ! python3 -m pip install -q -e '.[test]' >"$LOG_DIR/pip.log" 2>&1; then
      tail -20 "$LOG_DIR/pip.log"
      problem "pip install -e '.[test]' failed (see $LOG_DIR/pip.log)"
    fi
  fi
fi

ts_counted=0
if wants ts; then
  step "test: TypeScript (mocha)"
  mocha_args=(--reporter "$ROOT/scripts/mocha-spec-junit.cjs" --reporter-option "output=$LOG_DIR/mocha.xml")
  if [ -n "${CRUCIAL_TEST_MOCHA_SPEC:-}" ]; then
    # mocha adds command-line specs to the config's; a copy of the config with its spec replaced
    # keeps every other setting (forbid-only, forbid-pending, timeout) in force.
    set -f; read -r -a specs <<<"$CRUCIAL_TEST_MOCHA_SPEC"; set +f
    node -e 'const fs = require("fs"); const c = JSON.parse(fs.readFileSync(".mocharc.json", "utf8"));
      c.spec = process.argv.slice(2); fs.writeFileSync(process.argv[1], JSON.stringify(c));' \
      "$LOG_DIR/mocharc.json" "${specs[@]}"
    mocha_args+=(--config "$LOG_DIR/mocharc.json")
  fi
  # timeout signals its whole process group, so mocha's child node process stops too.
  timeout -k 30 "$MOCHA_LIMIT" node_modules/.bin/mocha "${mocha_args[@]}" 2>&1 | tee "$LOG_DIR/mocha.log"
  count_report mocha "${PIPESTATUS[0]}" "$LOG_DIR/mocha.xml" && ts_counted=1
fi

if wants types; then
  step "test: TypeScript types (tsc --noEmit, one test next to mocha's)"
  if timeout -k 10 900 node_modules/.bin/tsc --noEmit -p "${CRUCIAL_TEST_TSC_PROJECT:-.}" >"$LOG_DIR/tsc.log" 2>&1; then
    echo "types: ok"
    if [ "$ts_counted" -eq 1 ]; then passed=$((passed + 1)); fi
  else
    cat "$LOG_DIR/tsc.log"
    failed=$((failed + 1))
  fi
fi

if wants py; then
  step "test: Python (pytest)"
  set -f; read -r -a py_paths <<<"${CRUCIAL_TEST_PYTEST_PATHS:-bridges/python/tests}"; set +f
  timeout -k 30 "$PYTEST_LIMIT" python3 -m pytest "${py_paths[@]}" -q -ra -p no:cacheprovider \
    --continue-on-collection-errors --junitxml="$LOG_DIR/pytest.xml" 2>&1 | tee "$LOG_DIR/pytest.log"
  count_report pytest "${PIPESTATUS[0]}" "$LOG_DIR/pytest.xml"
fi

finish
