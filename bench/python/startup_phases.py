"""
Where a cold first ``fexec.call_async`` result's time goes, phase by phase (issue 10, the Python twin
of bench/startup/timeline.mjs). Each run is a fresh process that records, in ms since the bench
spawned it: the interpreter up (first line of the program), ``crucial.lithops`` imported, the DSO node's
process spawned and its ready line read, each worker process spawned and its ready message read, the
executor returned, the first result back. Also what a worker imports, timed alone (a fresh
``python -c`` importing the worker's entry module).

``python bench/python/startup_phases.py [--runs 7] [--wheel-python PATH]... [--no-checkout]``

Each ``--wheel-python`` (the python of a venv holding a crucial wheel; repeat it for an A/B of two
wheels) is one configuration; without ``--no-checkout`` crucial from this checkout is one too.
Configurations are interleaved run by run, so each sees the same load. The timeline is read by
wrapping ``subprocess.Popen`` (the node's and the workers' spawns), the node's credentials being
read (``LocalDso.wait_ready``; in older trees, its credentials registered right after it) and the
pool's worker start (``_Process.__init__`` returns on the worker's ready message): no change to
crucial is needed to run it against an older tree. The program exits at its first result, so a
node still loading then has no ready line in that run (the row's count says in how many it had).
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

PHASES = [
    ("interpreter up", "main"),
    ("crucial.lithops imported", "imported"),
    ("node spawned", "node_spawn"),
    ("first worker spawned", "worker_spawn_first"),
    ("last worker spawned", "worker_spawn_last"),
    ("node ready line", "node_ready"),
    ("first worker ready", "worker_ready_first"),
    ("last worker ready", "worker_ready_last"),
    ("FunctionExecutor() returned", "executor"),
    ("first result", "first"),
]


def child(spawned_ms: float) -> None:
    """The measured program: one cold first result, with the timeline printed as one JSON line."""
    t = {"main": time.time() * 1000 - spawned_ms}
    events: dict = {}

    def mark(name: str) -> None:
        events.setdefault(name, []).append(time.time() * 1000 - spawned_ms)

    popen_init = subprocess.Popen.__init__

    def traced_popen(self, args, *a, **k):  # type: ignore[no-untyped-def]
        text = " ".join(map(str, args)) if isinstance(args, (list, tuple)) else str(args)
        if "crucial-node" in text or "node.ts" in text:
            mark("node_spawn")
        elif "crucial.worker" in text:
            mark("worker_spawn")
        popen_init(self, args, *a, **k)

    subprocess.Popen.__init__ = traced_popen  # type: ignore[method-assign]

    from crucial.lithops import FunctionExecutor

    t["imported"] = time.time() * 1000 - spawned_ms
    import crucial.client.context as context
    import crucial.worker.pool as pool

    wait_ready = getattr(context.LocalDso, "wait_ready", None)
    if wait_ready is not None:  # the ready line is read by LocalDso.wait_ready (the address may be known before)

        def traced_wait(self):  # type: ignore[no-untyped-def]
            address = wait_ready(self)
            mark("node_ready")
            return address

        context.LocalDso.wait_ready = traced_wait
    else:  # older trees: the node's credentials are registered right after its ready line
        register = context.register_credentials

        def traced_register(address, creds):  # type: ignore[no-untyped-def]
            if creds is not None:
                mark("node_ready")
            return register(address, creds)

        context.register_credentials = traced_register
    process_init = pool._Process.__init__

    def traced_process(self, *a, **k):  # type: ignore[no-untyped-def]
        process_init(self, *a, **k)
        mark("worker_ready")

    pool._Process.__init__ = traced_process  # type: ignore[method-assign]

    def double(x: int) -> int:
        return 2 * x

    fexec = FunctionExecutor(show_progressbar=False)
    t["executor"] = time.time() * 1000 - spawned_ms
    assert fexec.call_async(double, 21).result() == 42
    t["first"] = time.time() * 1000 - spawned_ms
    for name in ("node_spawn", "node_ready"):
        if name in events:
            t[name] = events[name][0]
    for name in ("worker_spawn", "worker_ready"):
        if name in events:
            t[name + "_first"], t[name + "_last"] = min(events[name]), max(events[name])
    print(json.dumps(t), flush=True)
    fexec.clean()


def worker_import_ms(python: str, env: dict, cwd: str) -> float:
    """A fresh interpreter importing the worker's entry module, wall ms (interpreter start included)."""
    t0 = time.perf_counter()
    subprocess.run([python, "-c", "import crucial.worker.main"], env=env, cwd=cwd, check=True)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--wheel-python", action="append", default=[], help="python of a venv holding a crucial wheel (repeatable)")
    ap.add_argument("--no-checkout", action="store_true", help="leave out crucial from this checkout")
    ap.add_argument("--child", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.child)
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CRUCIAL_", "LITHOPS", "__LITHOPS"))}
    env.pop("PYTHONPATH", None)
    configs = []
    if not args.no_checkout:
        configs.append(("checkout", sys.executable, str(ROOT), {**env, "PYTHONPATH": str(ROOT / "bridges" / "python")}))
    for py in args.wheel_python:
        # Outside the checkout, so the wheel's bundled node is the one started.
        configs.append((f"wheel {py}", py, tempfile.gettempdir(), env))
    runs = {c[0]: [] for c in configs}
    imports = {c[0]: [] for c in configs}
    for _ in range(args.runs):
        for name, python, cwd, e in configs:
            spawned = time.time() * 1000
            r = subprocess.run([python, str(Path(__file__).resolve()), "--child", repr(spawned)], cwd=cwd, env=e,
                               capture_output=True, text=True, timeout=120)
            line = next((x for x in r.stdout.splitlines() if x.startswith("{")), None)
            if r.returncode != 0 or line is None:
                raise SystemExit(f"{name}: exited {r.returncode}: {r.stderr[-2000:]}")
            runs[name].append(json.loads(line))
            imports[name].append(worker_import_ms(python, e, cwd))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cold first call_async result, phases (ms since spawn; median (min-max) of {args.runs}, interleaved); "
          f"load average {load} on {os.cpu_count()} cores\n")
    names = [c[0] for c in configs]
    print("| phase | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    for label, key in PHASES:
        cells = []
        for name in names:
            xs = [r[key] for r in runs[name] if key in r]
            n = "" if len(xs) == len(runs[name]) else f" [{len(xs)} runs]"
            cells.append(f"{statistics.median(xs):.0f} ({min(xs):.0f}-{max(xs):.0f}){n}" if xs else "-")
        print(f"| {label} | " + " | ".join(cells) + " |")
    cells = [f"{statistics.median(imports[n]):.0f} ({min(imports[n]):.0f}-{max(imports[n]):.0f})" for n in names]
    print("| a worker's imports alone (`python -c 'import crucial.worker.main'`) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
