"""
8 MB ``AtomicReference.set`` / ``.get`` from Python with the DEALER's kernel socket buffers set or left
to the kernel (issue 13, py-8mb): variants alternate on fresh connections to one node, so every variant
sees the same machine state. Prints per variant p50 / min ms and the CPU per call of the caller and of
libzmq's I/O thread (``/proc/self/task/<tid>/schedstat``).

    python bench/python/array_sockopt_ab.py [--rounds 4] [--calls 20] [--variants default rcv8m snd8m both8m]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("CRUCIAL_PY", str(Path(__file__).resolve().parents[2] / "bridges" / "python")))

import crucial  # noqa: E402
import numpy as np  # noqa: E402
import zmq  # noqa: E402

MB8 = 8 << 20
VARIANTS = {"default": {}, "rcv8m": {zmq.RCVBUF: MB8}, "snd8m": {zmq.SNDBUF: MB8}, "both8m": {zmq.RCVBUF: MB8, zmq.SNDBUF: MB8},
            "rcv256k": {zmq.RCVBUF: 256 << 10}}


def io_threads() -> dict:
    out = {}
    for t in Path(f"/proc/{os.getpid()}/task").iterdir():
        comm = (t / "comm").read_text().strip()
        out[t.name] = (comm, int((t / "schedstat").read_text().split()[0]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--variants", nargs="+", default=["default", "rcv8m", "snd8m", "both8m"], choices=list(VARIANTS))
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    real_socket = zmq.Context.socket
    rows: dict = {}
    with crucial.start_local_dso() as node:
        for r in range(args.rounds):
            for name in args.variants:
                opts = VARIANTS[name]

                def socket(ctx, kind, *a, _opts=opts, **kw):
                    s = real_socket(ctx, kind, *a, **kw)
                    if kind == zmq.DEALER:
                        for k, v in _opts.items():
                            s.setsockopt(k, v)
                    return s

                zmq.Context.socket = socket
                try:
                    conn = crucial.connect(node.address)
                finally:
                    zmq.Context.socket = real_socket
                ref = crucial.AtomicReference(f"sockopt{r}{name}", connection=conn)
                for _ in range(3):
                    ref.set(arr)
                    ref.get()
                for op in ("set", "get"):
                    before, c0 = io_threads(), time.thread_time()
                    ms = []
                    for _ in range(args.calls):
                        t = time.perf_counter()
                        ref.set(arr) if op == "set" else ref.get()
                        ms.append((time.perf_counter() - t) * 1e3)
                    caller = (time.thread_time() - c0) / args.calls * 1e3
                    after = io_threads()
                    io = sum(after[k][1] - before[k][1] for k in after if k in before and after[k][0].startswith("ZMQbg/IO")) / args.calls / 1e6
                    rows.setdefault((name, op), []).append((statistics.median(ms), min(ms), caller, io))
                conn.close()
    print(f"load {os.getloadavg()[0]:.1f}; per variant and op: median of round p50s, min, caller CPU, libzmq I/O threads' CPU (ms per call)")
    print("| variant | op | p50 ms | GB/s | min ms | caller CPU | I/O thread CPU |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for (name, op), xs in rows.items():
        p50 = statistics.median(x[0] for x in xs)
        print(f"| {name} | {op} | {p50:.2f} | {8.0 / p50:.2f} | {min(x[1] for x in xs):.2f} | "
              f"{statistics.median(x[2] for x in xs):.2f} | {statistics.median(x[3] for x in xs):.2f} |")


if __name__ == "__main__":
    main()
