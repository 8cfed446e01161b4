"""
8 MB float64 arrays from Python against their floor (issue 13), interleaved in one process:

- crucial: ``AtomicReference.set(arr)`` / ``.get()`` through crucial's client (a node from
  ``start_local_dso``); ``get`` returns a read-only view of the received frame; "set received" sets
  an array a ``get`` returned (sent on as its own frame since py-arrays, no copy); "set framed" sets
  an array made by ``crucial.wire.arrow.empty_array`` (sent as its own frame, no copy; a plain
  ``np.empty`` copy of it on a checkout without that function);
- pyzmq floor: a bare pyzmq DEALER in this thread to a pyzmq ROUTER in another process, moving the
  same 8 MB each way (up: the array, a short reply; down: a short request, the array back, received
  with ``copy=False`` and viewed as numpy), so what is left above it is crucial's own (client + node).

Also the caller thread's CPU per call (``time.thread_time``). Prints p50 ms, MB/s and crucial/floor.

    python bench/python/array_floor.py [--rounds 6] [--calls 10]       (CRUCIAL_PY=DIR/bridges/python: another checkout)
"""
from __future__ import annotations

import argparse
import atexit
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.environ.get("CRUCIAL_PY", str(Path(__file__).resolve().parents[2] / "bridges" / "python")))

import numpy as np  # noqa: E402
import zmq  # noqa: E402

import crucial  # noqa: E402

ECHO = """
import sys, zmq
ctx = zmq.Context(); s = ctx.socket(zmq.ROUTER); port = s.bind_to_random_port("tcp://127.0.0.1")
print(port, flush=True)
keep = None
while True:
    m = s.recv_multipart(copy=False)
    if m[1].bytes == b"up":
        keep = m[2]
        s.send_multipart([m[0], b"ok"])
    elif m[1].bytes == b"down":
        s.send_multipart([m[0], keep], copy=False)
    else:
        break
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--calls", type=int, default=10, help="timed calls per side, row and round")
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    echo = subprocess.Popen([sys.executable, "-c", ECHO], stdout=subprocess.PIPE, text=True)
    # Not left behind when a run fails (it holds this process's stderr, so a pipe into `tail` never ends).
    atexit.register(lambda: echo.poll() is None and echo.kill())
    port = int(echo.stdout.readline())
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.connect(f"tcp://127.0.0.1:{port}")
    rows = {k: [] for k in ("crucial set", "crucial get", "set received", "set framed", "floor up", "floor down")}
    cpu = {k: [] for k in rows}
    pc, tt = time.perf_counter, time.thread_time

    def timed(name, fn):
        c, t = tt(), pc()
        out = fn()
        rows[name].append(pc() - t)
        cpu[name].append(tt() - c)
        return out

    def up():
        sock.send(b"up", zmq.SNDMORE)
        sock.send(arr, copy=False)
        sock.recv()

    def down():
        sock.send(b"down")
        return np.frombuffer(sock.recv(copy=False).buffer, dtype=np.float64)

    with crucial.start_local_dso() as node:
        conn = crucial.connect(node.address)
        ref = crucial.AtomicReference(f"floor{time.time_ns()}", connection=conn)
        ref.set(arr)
        fwd_ref = crucial.AtomicReference(f"floorfwd{time.time_ns()}", connection=conn)
        fwd = ref.get()
        fwd = ref.get()  # the second decode of a shape is the template's (a view of the frame)
        try:
            from crucial.wire.arrow import empty_array
        except ImportError:
            empty_array = lambda n: np.empty(n)  # noqa: E731 (an older client: an ordinary array)
        framed = empty_array(arr.size)
        framed[:] = arr
        up()
        assert np.array_equal(ref.get(), arr) and np.array_equal(down(), arr)
        for r in range(args.rounds):
            for side in (("crucial", "floor") if r % 2 == 0 else ("floor", "crucial")):
                for _ in range(args.calls):
                    if side == "crucial":
                        timed("crucial set", lambda: ref.set(arr))
                        timed("crucial get", ref.get)
                        timed("set received", lambda: fwd_ref.set(fwd))
                        timed("set framed", lambda: fwd_ref.set(framed))
                    else:
                        timed("floor up", up)
                        timed("floor down", down)
        conn.close()
    sock.send(b"stop")
    echo.wait(10)
    med = {k: statistics.median(v) * 1e3 for k, v in rows.items()}
    for k in rows:
        print(f"{k:12s} p50 {med[k]:7.2f} ms  {8 / med[k] * 1e3:6.0f} MB/s  caller CPU {statistics.median(cpu[k]) * 1e3:5.2f} ms")
    print(f"crucial/floor: set {med['crucial set'] / med['floor up']:.2f}, get {med['crucial get'] / med['floor down']:.2f}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
