"""
Python <-> DSO transfer of a 1e6-element float64 array (8 MB) over each of the node's transports.

Starts a node per transport and round (interleaved, so both see the same machine state), times
AtomicReference.set / .get from this process and prints the medians and the zmtp/libzmq ratio.
``python bench/python/transfer.py [--transports zmtp libzmq zmtp-ipc] [--rounds 3] [--calls 40] [--placement none|split]``
(``zmtp-ipc``: the zmtp node also listening on a Unix socket, ``start_local_dso(ipc=True)``, and the client
connected there instead of to its TCP port.)
(``--placement split``: the node's threads on CPU 1, this process's on CPU 0, as bench/hot-path-arrays.ts
places its client and node by default; the default, ``none``, leaves them to the scheduler.)
"""
import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

import crucial


def time_set_get(ref: crucial.AtomicReference, arr: np.ndarray, calls: int):
    """Median ms of ``ref.set(arr)`` and of ``ref.get()``, after checking one round trip is exact."""
    ref.set(arr)
    if not np.array_equal(ref.get(), arr):
        raise SystemExit("the array came back different")
    up, down = [], []
    for _ in range(calls):
        t = time.perf_counter()
        ref.set(arr)
        up.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref.get()
        down.append(time.perf_counter() - t)
    return statistics.median(up) * 1e3, statistics.median(down) * 1e3


def pin(pid: int, cpus: set) -> None:
    """Every thread of ``pid`` (as it is now) on ``cpus``."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(task.name), cpus)
        except OSError:
            pass


def measure(transport: str, calls: int, arr: np.ndarray, placement: str = "none"):
    # The node reads its transport from the environment it inherits.
    ipc = transport == "zmtp-ipc"
    os.environ["CRUCIAL_TRANSPORT"] = "zmtp" if ipc else transport
    with crucial.start_local_dso(ipc=ipc) as node:
        conn = crucial.connect(node.ipc_address if ipc else node.address)
        if placement == "split":
            pin(node.process.pid, {1})
            pin(os.getpid(), {0})
        try:
            return time_set_get(crucial.AtomicReference(f"xfer{time.time_ns()}", connection=conn), arr, calls)
        finally:
            conn.close()
            if placement == "split":
                pin(os.getpid(), set(range(os.cpu_count() or 1)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--transports", nargs="+", default=["zmtp", "libzmq", "zmtp-ipc"], choices=["zmtp", "libzmq", "zmtp-ipc"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--placement", choices=["none", "split"], default="none")
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    runs = {t: [] for t in args.transports}
    for r in range(args.rounds):
        for t in args.transports:
            up, down = measure(t, args.calls, arr, args.placement)
            runs[t].append((up, down))
            print(f"round {r + 1} {t:7s} set {up:6.2f} ms  get {down:6.2f} ms", flush=True)
    print("| transport | set p50 ms | get p50 ms | set MB/s | get MB/s |\n| --- | ---: | ---: | ---: | ---: |")
    med = {}
    for t, xs in runs.items():
        up = statistics.median(x[0] for x in xs)
        down = statistics.median(x[1] for x in xs)
        med[t] = (up, down)
        print(f"| {t} | {up:.2f} | {down:.2f} | {arr.nbytes / 1e3 / up:,.0f} | {arr.nbytes / 1e3 / down:,.0f} |")
    if "zmtp" in med and "zmtp-ipc" in med:
        print(f"ipc/tcp time ratio: set {med['zmtp-ipc'][0] / med['zmtp'][0]:.2f}, get {med['zmtp-ipc'][1] / med['zmtp'][1]:.2f}")
    if "zmtp" in med and "libzmq" in med:
        print(f"zmtp/libzmq time ratio: set {med['zmtp'][0] / med['libzmq'][0]:.2f}, get {med['zmtp'][1] / med['libzmq'][1]:.2f}")


if __name__ == "__main__":
    main()
