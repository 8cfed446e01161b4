"""
Start-up from Python: time from program start (a fresh process) to the first ``fexec.call_async``
result, cold, and the warm round trips after it, for crucial's FunctionExecutor (embedded DSO node)
and Lithops localhost in the same run. The twin of bench/startup.ts.

``python bench/python/startup.py [--runs 5] [--wheel-python PATH]... [--no-checkout] [--dso-task]``

``--wheel-python`` adds a row for an installed wheel: the python of a venv holding it (its node is
the bundled one, started with the system ``node``); repeat it to compare two wheels (an A/B, e.g. a
venv of an older commit's wheel) in the same interleaved run. The checkout row runs crucial from this
checkout (its node from the TypeScript sources through tsx).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = ROOT / "bench" / "startup"


def run_once(python, program, cwd, env):
    argv = [str(a) for a in program] if isinstance(program, list) else [str(program)]
    t0 = time.time() * 1000
    r = subprocess.run([python, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    line = next((x for x in r.stdout.splitlines() if x.startswith("{")), None)
    if r.returncode != 0 or line is None:
        raise SystemExit(f"{program} exited {r.returncode}: {r.stderr[-2000:]}")
    out = json.loads(line)
    return out["first"] - t0, out["warm"]


def fmt(ms):
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms" if ms >= 10 else f"{ms:.2f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="cold runs (fresh processes) per configuration")
    ap.add_argument("--wheel-python", action="append", default=[], help="python of a venv with the crucial wheel installed (repeatable)")
    ap.add_argument("--no-checkout", action="store_true", help="leave out crucial from this checkout")
    ap.add_argument("--dso-task", action="store_true", help="also a row per wheel whose task adds to an AtomicLong (its first result waits for the node)")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRUCIAL_", "LITHOPS", "__LITHOPS"))}
    checkout_env = {**env, "PYTHONPATH": str(ROOT / "bridges" / "python")}
    configs = [] if args.no_checkout else [("crucial checkout (node via tsx), call_async", sys.executable, PROGRAMS / "crucial_program.py", ROOT, checkout_env)]
    for py in args.wheel_python:
        # Outside the checkout, so the wheel's bundled node is the one started.
        label = "crucial wheel (bundled node), call_async" + (f" [{py}]" if len(args.wheel_python) > 1 else "")
        configs.append((label, py, PROGRAMS / "crucial_program.py", tempfile.gettempdir(), env))
        if args.dso_task:
            configs.append((label.replace("call_async", "call_async of a task calling the DSO"), py, [PROGRAMS / "crucial_program.py", "--dso"],
                            tempfile.gettempdir(), env))
    configs.append(("Lithops localhost, call_async", sys.executable, PROGRAMS / "lithops_program.py", ROOT, env))
    # Interleaved rounds (one run of each configuration per round): every configuration sees the same load.
    samples_of = {c[0]: [] for c in configs}
    for _ in range(args.runs):
        for name, python, program, cwd, e in configs:
            samples_of[name].append(run_once(python, program, cwd, e))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"start-up from Python, {args.runs} cold runs each (fresh process per run, interleaved); load average {load} on {os.cpu_count()} cores\n")
    print("| configuration | first result, cold (median, min-max) | warm round trip (median) |")
    print("| --- | --- | --- |")
    for name, *_ in configs:
        samples = samples_of[name]
        colds = [s[0] for s in samples]
        warm = [w for s in samples for w in s[1]]
        print(f"| {name} | {fmt(statistics.median(colds))} ({fmt(min(colds))}-{fmt(max(colds))}) | {fmt(statistics.median(warm))} |", flush=True)


if __name__ == "__main__":
    main()
