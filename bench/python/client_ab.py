"""
Before/after of the Python client in one process (issue 13): another checkout's ``crucial`` package
(``--base DIR``, e.g. a ``git worktree`` of the old commit) is loaded beside this one's under the name
``crucial_base``; both connect to one node (this checkout's) and their calls alternate in rotating
blocks, so both sides see the same machine. Rows: 1 KB ``AtomicReference.set`` / ``.get`` and
``AtomicLong.add_and_get`` through the proxies, ``call_async(...).result()``, and a throughput row of
``--threads`` threads sharing one connection, and twice as many mixing ``call`` and ``call_async``
(calls/s, every reply checked against its own call);
with ``--arrays``, 8 MB float64 ``set`` / ``get`` too, with this process's CPU time per call (all its
threads: the caller, the I/O thread and libzmq's), which the machine's load inflates less than the wall time.

    python bench/python/client_ab.py --base DIR [--n 4000] [--block 250] [--threads 4] [--arrays [--array-calls 40]]
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bridges" / "python"))

import crucial  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from base_checkout import load_base  # noqa: E402




def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s), max(1, -(-p * len(s) // 100))) - 1]


def threaded(conn, key: str, threads: int, per: int, mixed: bool = False) -> float:
    """
    Calls/s of ``threads`` threads each making ``per`` addAndGet calls of its own increment; ``mixed``:
    each thread draws (seeded) between ``call``, ``call_async().result()`` and three ``call_async`` in flight.
    """
    errors = []

    def worker(i: int) -> None:
        k, inc, n, rng = f"{key}.{i}", i + 1, 0, random.Random(i)
        opts = {"init": [0]}
        while n < per:
            how = rng.random() if mixed else 0.0
            if how < 0.4:
                got = [conn.call("AtomicLong", k, "addAndGet", [inc], opts)]
            elif how < 0.8:
                got = [conn.call_async("AtomicLong", k, "addAndGet", [inc], opts).result()]
            else:
                got = [f.result() for f in [conn.call_async("AtomicLong", k, "addAndGet", [inc], opts) for _ in range(3)]]
            for g in got:
                n += 1
                if int(g) != n * inc:
                    errors.append((i, n, g))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    dt = time.perf_counter() - t
    if errors:
        raise SystemExit(f"a reply landed on the wrong caller: {errors[:3]}")
    return threads * per / dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--base", required=True, type=Path)
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--block", type=int, default=250)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--threads-only", action="store_true", help="only the throughput row")
    ap.add_argument("--arrays", action="store_true", help="8 MB float64 set / get rows")
    ap.add_argument("--arrays-only", action="store_true", help="only the 8 MB rows")
    ap.add_argument("--array-calls", type=int, default=40)
    args = ap.parse_args()
    base = load_base(args.base.resolve())
    node = crucial.start_local_dso()
    try:
        conns = {"before": base.Connection(node.address, token=node.token),
                 "after": crucial.Connection(node.address, token=node.token)}
        pkgs = {"before": base, "after": crucial}
        kb = bytes(i & 0xFF for i in range(1024))
        ops = {}
        for side, c in conns.items():
            pkg = pkgs[side]
            ref = pkg.AtomicReference(f"ab.1kb.{side}", connection=c)
            ref.set(kb)
            along = pkg.AtomicLong(f"ab.n.{side}", 0, connection=c)
            along.get()
            ops[side] = {
                "1 KB put": lambda ref=ref: ref.set(kb),
                "1 KB get": ref.get,
                "addAndGet": lambda along=along: along.add_and_get(3),
                "call_async + result": lambda c=c, side=side: c.call_async("AtomicLong", f"ab.n.{side}", "addAndGet", [1]).result(),
            }
        print(f"client A/B: n {args.n}, block {args.block}, load {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        print("| row | before p50 µs | after p50 µs | after/before p50 | before p99 µs | after p99 µs | after/before p99 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        pc = time.perf_counter_ns
        for row in ([] if args.threads_only or args.arrays_only else ops["after"]):
            sides = ["before", "after"]
            for _ in range(300):
                for s in sides:
                    ops[s][row]()
            us = {s: [] for s in sides}
            for rnd, start in enumerate(range(0, args.n, args.block)):
                for j in range(2):
                    s = sides[(j + rnd) % 2]
                    op, out = ops[s][row], us[s]
                    for _ in range(min(args.block, args.n - start)):
                        t = pc()
                        op()
                        out.append((pc() - t) / 1000)
            b50, a50, b99, a99 = pct(us["before"], 50), pct(us["after"], 50), pct(us["before"], 99), pct(us["after"], 99)
            print(f"| {row} | {b50:.0f} | {a50:.0f} | {a50 / b50:.2f} | {b99:.0f} | {a99:.0f} | {a99 / b99:.2f} |", flush=True)
        if args.arrays or args.arrays_only:
            import numpy as np

            arr = np.random.default_rng(0).random(1_000_000)
            big = {s: pkgs[s].AtomicReference(f"ab.8mb.{s}", connection=conns[s]) for s in conns}
            for s, ref in big.items():
                ref.set(arr)
                if not np.array_equal(ref.get(), arr):
                    raise SystemExit(f"{s}: the array came back different")
            for row, op in (("8 MB float64 set", lambda ref: ref.set(arr)), ("8 MB float64 get", lambda ref: ref.get())):
                ms, cpu = {"before": [], "after": []}, {"before": 0.0, "after": 0.0}
                for rnd in range(max(1, args.array_calls // 5)):
                    for s in (["before", "after"] if rnd % 2 == 0 else ["after", "before"]):
                        c0 = time.process_time()
                        for _ in range(5):
                            t = pc()
                            op(big[s])
                            ms[s].append((pc() - t) / 1e6)
                        cpu[s] += time.process_time() - c0
                b50, a50 = statistics.median(ms["before"]), statistics.median(ms["after"])
                bc, ac = cpu["before"] / len(ms["before"]) * 1e3, cpu["after"] / len(ms["after"]) * 1e3
                print(f"| {row}: p50 ms (GB/s) | {b50:.2f} ({8 / b50:.2f}) | {a50:.2f} ({8 / a50:.2f}) | {a50 / b50:.2f} | "
                      f"CPU/call {bc:.2f} ms | {ac:.2f} ms | {ac / bc:.2f} |", flush=True)
        if args.arrays_only:
            for c in conns.values():
                c.close()
            return
        for mixed, nthreads, label in ((False, args.threads, "call"), (True, 2 * args.threads, "call / call_async mixed")):
            tput = {"before": [], "after": []}
            for r in range(6):
                for s in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
                    tput[s].append(threaded(conns[s], f"ab.t{int(mixed)}.{r}.{s}", nthreads, max(50, args.n // (2 * nthreads)), mixed))
            b, a = statistics.median(tput["before"]), statistics.median(tput["after"])
            print(f"| {nthreads} threads, one connection, {label} (calls/s, median of 3) | {b:,.0f} | {a:,.0f} | {a / b:.2f} (throughput) | | | |")
        for c in conns.values():
            c.close()
    finally:
        node.stop()


if __name__ == "__main__":
    main()
