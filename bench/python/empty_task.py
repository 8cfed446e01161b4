"""
Empty-task round trip from Python (issue 13): ``call_async(lambda x: None, 0)`` then ``.result()``
on a warm ``crucial.lithops.FunctionExecutor``, one call at a time; prints p50 / p99 / mean in ms
and, with ``--profile``, the parent's cProfile of the timed calls (what the caller's side spends).

    python bench/python/empty_task.py [--n 2000] [--workers 2] [--profile] [--floor]

The executor's node is the embedded one (``CRUCIAL_DSO`` unset) or the one ``CRUCIAL_DSO`` names.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("CRUCIAL_PY", str(Path(__file__).resolve().parents[2] / "bridges" / "python")))

from crucial.lithops import FunctionExecutor  # noqa: E402


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s), max(1, -(-p * len(s) // 100))) - 1]


_ECHO_CHILD = """
import os, pickle, sys
from multiprocessing.connection import Connection
conn = Connection(int(sys.argv[1]))
while True:
    try:
        msg = conn.recv_bytes()
    except (EOFError, OSError):
        break
    conn.send_bytes(pickle.dumps(("ok", pickle.loads(msg)[0], b"N.", {})))
"""


class _Echo:
    """The floor: a child process answering each message on a socketpair, as a pool worker does, doing nothing else."""

    def __init__(self) -> None:
        import socket
        import subprocess
        from multiprocessing.connection import Connection

        parent, child = socket.socketpair()
        self.popen = subprocess.Popen([sys.executable, "-c", _ECHO_CHILD, str(child.fileno())], pass_fds=(child.fileno(),))
        child.close()
        self.conn = Connection(parent.detach())
        self.msg = __import__("pickle").dumps(("call/00000", "key", None, b"\x80\x05K\x00.", None, ("tcp://127.0.0.1:1", None), []))

    def call(self) -> None:
        import pickle

        self.conn.send_bytes(self.msg)
        pickle.loads(self.conn.recv_bytes())

    def close(self) -> None:
        self.conn.close()
        self.popen.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--floor", action="store_true", help="also a bare socketpair ping-pong with a child process, interleaved in blocks")
    ap.add_argument("--json", action="store_true", help="one JSON line instead of text (for ab.py)")
    args = ap.parse_args()
    fx = FunctionExecutor(workers=args.workers, show_progressbar=False)

    def empty(x):
        return None

    for _ in range(200):  # warm: every worker has the function's job loaded for the first calls only
        fx.call_async(empty, 0).result()
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    pc = time.perf_counter_ns
    ms = []
    floor_ms = []
    echo = _Echo() if args.floor else None
    if echo is not None:
        for _ in range(200):
            echo.call()
    # With --floor, blocks of the two rows alternate so both see the same load.
    block = 100 if echo is not None else args.n
    done = 0
    while done < args.n:
        k = min(block, args.n - done)
        for _ in range(k):
            t = pc()
            fx.call_async(empty, 0).result()
            ms.append((pc() - t) / 1e6)
        if echo is not None:
            if prof is not None:
                prof.disable()
            for _ in range(k):
                t = pc()
                echo.call()
                floor_ms.append((pc() - t) / 1e6)
            if prof is not None:
                prof.enable()
        done += k
    if prof is not None:
        prof.disable()
    load = os.getloadavg()[0]
    out = {"p50": pct(ms, 50), "p99": pct(ms, 99), "mean": statistics.fmean(ms), "n": args.n, "load": load}
    if echo is not None:
        echo.close()
        out.update(floor_p50=pct(floor_ms, 50), floor_p99=pct(floor_ms, 99))
    if args.json:
        print(json.dumps(out))
    else:
        print(f"empty task, call_async + result, n {args.n}, load {load:.1f}: p50 {out['p50']:.3f} ms, p99 {out['p99']:.3f} ms, mean {out['mean']:.3f} ms")
        if echo is not None:
            print(f"floor, bare socketpair ping-pong with a child process (multiprocessing Connection, a pickled 7-tuple each way): "
                  f"p50 {out['floor_p50']:.3f} ms, p99 {out['floor_p99']:.3f} ms; crucial/floor p50 {out['p50'] / out['floor_p50']:.2f}")
    if prof is not None:
        import pstats

        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
