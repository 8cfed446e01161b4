"""
Where an empty task's time goes, by layer (issue 13): three rows interleaved in blocks in one process,
each with wall p50 and the calling thread's CPU per call (``time.thread_time_ns``):

- floor: a bare socketpair ping-pong with a child process (``empty_task._Echo``: a pickled 7-tuple each way);
- pool: ``crucial.worker.WorkerPool.submit(Task)`` + ``read_reply`` (the worker processes, without Lithops's API);
- executor: ``FunctionExecutor().call_async(f, 0).result()``.

    python bench/python/empty_task_layers.py [--n 2000] [--block 100]     (CRUCIAL_PY=DIR/bridges/python: another checkout)
"""
from __future__ import annotations

import argparse
import os
import pickle
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, os.environ.get("CRUCIAL_PY", str(HERE.parents[1] / "bridges" / "python")))

from empty_task import _Echo, pct  # noqa: E402
from crucial.lithops import FunctionExecutor  # noqa: E402
from crucial.worker import WorkerPool  # noqa: E402
from crucial.worker.pool import Task  # noqa: E402


def empty(x):
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--block", type=int, default=100)
    args = ap.parse_args()
    fx = FunctionExecutor(workers=2, show_progressbar=False)
    pool = WorkerPool(2)
    echo = _Echo()
    import cloudpickle

    fn_bytes = cloudpickle.dumps(empty)
    data = pickle.dumps(((0,), {}))
    seq = [0]

    def pool_call() -> None:
        seq[0] += 1
        box = []
        done = threading.Event()
        t = Task(f"j/{seq[0]:05d}", "bench/empty", fn_bytes, data, lambda ok, v, st: (box.append(v), done.set()))
        pool.submit(t)
        if not pool.read_reply(t):
            done.wait()

    rows = {"floor (bare socketpair ping-pong)": echo.call, "pool (WorkerPool submit + read_reply)": pool_call,
            "executor (call_async + result)": lambda: fx.call_async(empty, 0).result()}
    for f in rows.values():
        for _ in range(300):
            f()
    wall = {k: [] for k in rows}
    cpu = {k: [] for k in rows}
    pc, tt = time.perf_counter_ns, time.thread_time_ns
    names = list(rows)
    for b in range(-(-args.n // args.block)):
        for j in range(len(names)):
            k = names[(b + j) % len(names)]
            f = rows[k]
            for _ in range(args.block):
                c0 = tt()
                t0 = pc()
                f()
                t1 = pc()
                wall[k].append((t1 - t0) / 1000)
                cpu[k].append((tt() - c0) / 1000)
    print(f"empty task by layer, {args.n} calls per row, blocks of {args.block} interleaved; load {os.getloadavg()[0]:.1f}")
    for k in names:
        print(f"  {k:40s} wall p50 {pct(wall[k], 50):7.1f} us  p99 {pct(wall[k], 99):8.1f}  caller CPU p50 {pct(cpu[k], 50):6.1f} us")
    echo.close()
    pool.shutdown()


if __name__ == "__main__":
    main()
