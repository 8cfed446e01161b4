"""
The node's real CPU during 8 MB ``AtomicReference.set`` or ``.get`` from Python (issue 13), by ``perf record -g``
on the node's main thread (cpu-clock: CPU used, unlike V8's clock-sampled ``--cpu-prof``, which charges
time spent preempted to the frame it interrupted), with the thread's CPU per call from
``/proc/<pid>/schedstat``. Needs ``perf`` (perf_event_paranoid ≤ 2 suffices for one's own threads).

    python bench/python/array_node_perf.py set|get [--calls 150]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bridges" / "python"))

import numpy as np  # noqa: E402

import crucial  # noqa: E402

SYMBOLS = ("read", "writev", "_copy_to_iter", "_copy_from_iter", "node::StreamBase::Writev", "node::StreamBase::WriteBuffer",
           "Builtins_JSEntry", "handle_softirqs", "tcp_ack", "__kfree_skb", "__memmove_avx512_unaligned_erms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("op", choices=["set", "get"])
    ap.add_argument("--calls", type=int, default=150)
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    out = Path(f"/tmp/array-node-perf-{args.op}.data")
    with crucial.start_local_dso() as node:
        conn = crucial.connect(node.address)
        ref = crucial.AtomicReference(f"perf{time.time_ns()}", connection=conn)
        for _ in range(5):
            ref.set(arr)
            ref.get()
        perf = subprocess.Popen(["perf", "record", "-g", "-t", str(node.process.pid), "-o", str(out)], stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # perf attached
        stat = Path(f"/proc/{node.process.pid}/schedstat")
        cpu0, t0 = int(stat.read_text().split()[0]), time.perf_counter()
        for _ in range(args.calls):
            ref.set(arr) if args.op == "set" else ref.get()
        cpu = (int(stat.read_text().split()[0]) - cpu0) / args.calls / 1e6
        wall = (time.perf_counter() - t0) / args.calls * 1e3
        perf.send_signal(2)
        perf.wait()
        conn.close()
    print(f"{args.op}: node main thread CPU {cpu:.2f} ms per call (schedstat), wall {wall:.2f} ms per call (perf attached)")
    report = subprocess.run(["perf", "report", "-i", str(out), "--children", "--sort", "sym", "--stdio", "-g", "none"],
                            capture_output=True, text=True).stdout
    for line in report.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0].endswith("%") and parts[-1] in SYMBOLS:
            print(f"  {parts[-1]}: {parts[0]} of that CPU (with callees), {parts[1]} itself")


if __name__ == "__main__":
    main()
