#!/usr/bin/env bash
# Runs the whole test suite (TypeScript with mocha, Python with pytest) on a fresh machine:
# installs what it needs first, then prints one closing line "N passed, N failed" for both.
set -uo pipefail
cd "$(dirname "$0")/.."
LOG_DIR="${TMPDIR:-/tmp}/crucial-test-$$"
mkdir -p "$LOG_DIR"

step() { printf '\n== %s\n' "$*"; }

step "install: system packages"
if ! command -v redis-server >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq redis-server) >"$LOG_DIR/apt.log" 2>&1 \
    || echo "warning: could not install redis-server (see $LOG_DIR/apt.log); tests comparing with Redis will fail"
fi

step "install: npm packages"
# `npm install` (which follows package-lock.json) rather than `npm ci`: the registry reachable here
# does not serve some platform-only optional packages (msgpackr-extract for macOS/Windows), so no
# lock file written here lists them and `npm ci` refuses the lock as out of sync.
if ! npm install --no-audit --no-fund --loglevel=error; then
  echo "npm install failed: cannot run the tests"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ -f pmem/native/binding.gyp ]; then
  step "build: pmem native addon"
  npm run --silent pmem:build
fi

if [ -f pyproject.toml ]; then
  step "install: python package"
  python3 -m pip install -q -e '.[test]' 2>&1 | grep -v "already satisfied" | tail -5
fi

ts_passed=0; ts_failed=0; py_passed=0; py_failed=0

step "test: TypeScript (mocha)"
npx mocha 2>&1 | tee "$LOG_DIR/mocha.log"
ts_status=${PIPESTATUS[0]}
ts_passed=$(grep -Eo '^ +[0-9]+ passing' "$LOG_DIR/mocha.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
ts_failed=$(grep -Eo '^ +[0-9]+ failing' "$LOG_DIR/mocha.log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
if [ "$ts_status" -ne 0 ] && [ "$ts_failed" -eq 0 ]; then ts_failed=1; echo "mocha exited $ts_status without reporting failures"; fi

step "test: TypeScript types (tsc --noEmit, counted as one test)"
if npx tsc --noEmit -p . >"$LOG_DIR/tsc.log" 2>&1; then
  ts_passed=$((ts_passed + 1)); echo "types: ok"
else
  ts_failed=$((ts_failed + 1)); cat "$LOG_DIR/tsc.log"
fi

if [ -d bridges/python/tests ]; then
  step "test: Python (pytest)"
  python3 -m pytest bridges/python/tests -q -p no:cacheprovider 2>&1 | tee "$LOG_DIR/pytest.log"
  py_status=${PIPESTATUS[0]}
  summary=$(grep -E '[0-9]+ (passed|failed)' "$LOG_DIR/pytest.log" | tail -1)
  py_passed=$(echo "$summary" | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' || echo 0)
  py_failed=$(echo "$summary" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+' || echo 0)
  py_errors=$(echo "$summary" | grep -Eo '[0-9]+ errors?' | grep -Eo '[0-9]+' || echo 0)
  py_failed=$((py_failed + py_errors))
  if [ "$py_status" -ne 0 ] && [ "$py_status" -ne 5 ] && [ "$py_failed" -eq 0 ]; then py_failed=1; echo "pytest exited $py_status without reporting failures"; fi
fi

passed=$((ts_passed + py_passed))
failed=$((ts_failed + py_failed))
echo
echo "TypeScript: $ts_passed passed, $ts_failed failed; Python: $py_passed passed, $py_failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
