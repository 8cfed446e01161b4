"""
Where an empty task's time goes, by layer (issue 13): three rows interleaved in blocks in one process,
each with wall p50 and the calling thread's CPU per call (``time.thread_time_ns``):

- floor: a bare socketpair ping-pong with a child process (``empty_task._Echo``: a pickled 7-tuple each way);
- pool: ``crucial.worker.WorkerPool.submit(Task)`` + ``read_reply`` (the worker processes, without Lithops's API);
- executor: ``FunctionExecutor().call_async(f, 0).result()``.

With ``--base DIR`` the pool and executor rows are also run on another checkout's package, loaded beside
this one as ``crucial_base`` (its worker processes import that checkout's ``crucial``), all rows alternating:
a before/after in one process, with the floor of the same run.

    python bench/python/empty_task_layers.py [--n 2000] [--block 100] [--base DIR]
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

from base_checkout import load_base as load_checkout  # noqa: E402
from empty_task import _Echo, pct  # noqa: E402
import crucial.lithops  # noqa: E402
import crucial.worker.pool  # noqa: E402


def empty(x):
    return None


def load_base(base: Path):
    """The base checkout's lithops and worker.pool modules."""
    import importlib

    load_checkout(base)
    return importlib.import_module("crucial_base.lithops"), importlib.import_module("crucial_base.worker.pool")


def layer_rows(lithops, pool_mod, tag: str):
    """The pool row and the executor row of one package."""
    import cloudpickle

    fx = lithops.FunctionExecutor(workers=2, show_progressbar=False)
    pool = pool_mod.WorkerPool(2)
    fn_bytes = cloudpickle.dumps(empty)
    data = pickle.dumps(((0,), {}))
    seq = [0]

    def pool_call() -> None:
        seq[0] += 1
        done = threading.Event()
        t = pool_mod.Task(f"j/{seq[0]:05d}", "bench/empty", fn_bytes, data, lambda ok, v, st: done.set())
        pool.submit(t)
        if not pool.read_reply(t):
            done.wait()

    return {f"pool{tag} (WorkerPool submit + read_reply)": pool_call,
            f"executor{tag} (call_async + result)": lambda: fx.call_async(empty, 0).result()}, pool


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--block", type=int, default=100)
    ap.add_argument("--base", type=Path)
    args = ap.parse_args()
    echo = _Echo()
    rows = {"floor (bare socketpair ping-pong)": echo.call}
    new_rows, pool = layer_rows(crucial.lithops, crucial.worker.pool, "")
    rows.update(new_rows)
    pools = [pool]
    if args.base is not None:
        base_rows, base_pool = layer_rows(*load_base(args.base.resolve()), ", base")
        rows.update(base_rows)
        pools.append(base_pool)
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
    floor = pct(wall[names[0]], 50)
    for k in names:
        print(f"  {k:46s} wall p50 {pct(wall[k], 50):7.1f} us (x{pct(wall[k], 50) / floor:4.2f} floor)  p99 {pct(wall[k], 99):8.1f}"
              f"  caller CPU p50 {pct(cpu[k], 50):6.1f} us")
    if args.base is not None:
        for row in ("pool", "executor"):
            new = next(k for k in names if k.startswith(row + " "))
            old = next(k for k in names if k.startswith(row + ", base"))
            print(f"  {row}: after/before wall p50 {pct(wall[new], 50) / pct(wall[old], 50):.2f}, caller CPU p50 {pct(cpu[new], 50) / pct(cpu[old], 50):.2f}")
    echo.close()
    for p in pools:
        p.shutdown()


if __name__ == "__main__":
    main()
