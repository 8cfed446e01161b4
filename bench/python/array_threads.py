"""
Where an 8 MB ``AtomicReference.get`` / ``.set`` spends its time per *thread* (issue 13, py-8mb): the
Python client against the TypeScript client on the same node, interleaved, optionally pinned as
bench/hot-path-arrays.ts pins them (``--pins split``). For each batch of calls it
reads ``/proc/<pid>/task/<tid>/schedstat`` and ``status`` of every thread of the node, of this process
(the caller, libzmq's I/O thread, the connection's I/O thread) and of the TS client process, and prints
per call: CPU ms, run-queue wait ms, time slices, voluntary / involuntary context switches.

    python bench/python/array_threads.py [--rounds 3] [--calls 20] [--ops get set] [--clients py ts]
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, os.environ.get("CRUCIAL_PY", str(ROOT / "bridges" / "python")))

import crucial  # noqa: E402
import numpy as np  # noqa: E402


def threads(pid: int) -> dict:
    """{(pid, tid): (comm, cpu_ns, run-queue wait_ns, time slices, voluntary and involuntary switches, minor faults)} of every thread of ``pid``."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            comm = (task / "comm").read_text().strip()
            cpu, wait, slices = map(int, (task / "schedstat").read_text().split())
            st = (task / "status").read_text()
            minflt = int((task / "stat").read_text().rsplit(")", 1)[1].split()[7])
            vol = int(st.split("voluntary_ctxt_switches:")[1].split()[0])
            invol = int(st.split("nonvoluntary_ctxt_switches:")[1].split()[0])
        except (OSError, IndexError, ValueError):
            continue
        out[(pid, int(task.name))] = (comm, cpu, wait, slices, vol, invol, minflt)
    return out


def snap(pids: dict) -> dict:
    s = {}
    names = {t.native_id: t.name for t in threading.enumerate()}
    for name, pid in pids.items():
        for k, v in threads(pid).items():
            if pid == os.getpid() and k[1] in names:
                v = (names[k[1]][:24],) + v[1:]
            s[k] = (name,) + v
    return s


def diff(a: dict, b: dict, calls: int, wall_ms: float, label: str) -> None:
    print(f"-- {label}: {wall_ms:.2f} ms per call (mean), per call:")
    print("| process | thread | CPU ms | wait ms | slices | vol cs | invol cs | minor faults |")
    for k in sorted(b):
        if k not in a:
            continue
        name, comm = b[k][0], b[k][1]
        d = [(b[k][i] - a[k][i]) / calls for i in range(2, 8)]
        if d[0] < 0.01e6 and d[2] < 0.5:
            continue
        print(f"| {name} | {comm} {k[1]} | {d[0] / 1e6:.2f} | {d[1] / 1e6:.2f} | {d[2]:.1f} | {d[3]:.1f} | {d[4]:.1f} | {d[5]:.0f} |")


def place(pids: dict, how: str) -> None:
    """Pins every thread of the node to CPU 1 and the clients' to CPU 0 ("split"), or lets them run anywhere."""
    every = set(range(os.cpu_count() or 1))
    for name, pid in pids.items():
        cpus = every if how == "none" else {1} if name == "node" else {0}
        for task in Path(f"/proc/{pid}/task").iterdir() if Path(f"/proc/{pid}").exists() else ():
            try:
                os.sched_setaffinity(int(task.name), cpus)
            except OSError:
                pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--ops", nargs="+", default=["get"], choices=["get", "set", "set-get"],
                    help="set-get: a set before each get, the get timed (as bench/python/transfer.py alternates them)")
    ap.add_argument("--clients", nargs="+", default=["py", "ts"], choices=["py", "ts"])
    ap.add_argument("--pins", nargs="+", default=["none"], choices=["none", "split"],
                    help="split: the node's threads on CPU 1, the clients' on CPU 0 (as bench/hot-path-arrays.ts places them); none: anywhere")
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    key = f"threads{time.time_ns()}"
    with crucial.start_local_dso() as node:
        conn = crucial.connect(node.address)
        ref = crucial.AtomicReference(key, connection=conn)
        ref.set(arr)
        for _ in range(5):
            ref.get()
        ts = None
        if "ts" in args.clients:
            env = {**os.environ, "CRUCIAL_DSO": node.address, "CRUCIAL_TOKEN": node.token}
            ts = subprocess.Popen([str(ROOT / "node_modules" / ".bin" / "tsx"), str(ROOT / "bench" / "python" / "ts_array_client.ts"),
                                   key, str(args.calls)], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            assert ts.stdout.readline().strip() == "ready"
            # tsx runs node as its child: the client is that process.
            kids = Path(f"/proc/{ts.pid}/task/{ts.pid}/children").read_text().split()
            ts_pid = int(kids[0]) if kids else ts.pid
        pids = {"node": node.process.pid, "python": os.getpid()}
        if ts is not None:
            pids["ts"] = ts_pid
        summary = {}
        for r, op, pin, client in itertools.product(range(args.rounds), args.ops, args.pins, args.clients):
            place(pids, pin)
            a = snap(pids)
            t = time.perf_counter()
            if client == "py":
                ms = []
                for _ in range(args.calls):
                    if op == "set-get":
                        ref.set(arr)
                    t1 = time.perf_counter()
                    ref.set(arr) if op == "set" else ref.get()
                    ms.append((time.perf_counter() - t1) * 1e3)
                p50, low = statistics.median(ms), min(ms)
            else:
                ts.stdin.write(op + "\n")
                ts.stdin.flush()
                p50, low = map(float, ts.stdout.readline().split()[1:3])
            wall = (time.perf_counter() - t) * 1e3 / args.calls
            b = snap(pids)
            summary.setdefault((op, client, pin), []).append((p50, low))
            diff(a, b, args.calls, wall, f"round {r + 1} {op} {client} pin {pin} p50 {p50:.2f} ms ({8 / p50:.2f} GB/s), load {os.getloadavg()[0]:.1f}")
        if ts is not None:
            ts.stdin.write("end\n")
            ts.stdin.flush()
            ts.wait(10)
            del pids["ts"]
        place(pids, "none")
        conn.close()
    for (op, client, pin), xs in summary.items():
        p50 = statistics.median(x[0] for x in xs)
        low = min(x[1] for x in xs)
        print(f"{op} {client} pin {pin}: p50 per round " + ", ".join(f"{x[0]:.2f}" for x in xs) +
              f" ms; median {p50:.2f} ({8 / p50:.2f} GB/s); min {low:.2f} ({8 / low:.2f} GB/s)")


if __name__ == "__main__":
    main()
