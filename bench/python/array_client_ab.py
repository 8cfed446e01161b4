"""
Before/after of 8 MB float64 ``AtomicReference.set`` / ``.get`` from Python, per *thread* (issue 13,
py-8mb): each side's client (``--base DIR``: ``DIR/bridges/python``, e.g. ``git archive <commit>
bridges/python | tar -x -C DIR``; after: this checkout's) in a fresh process of its own, alternating,
both against a node started from this checkout. Per side and round: set / get p50 ms (set and get
alternate, as bench/python/transfer.py does) and CPU ms per call of the caller, libzmq's I/O thread,
the connection's ``crucial-io`` thread and the node's main thread (``/proc/.../schedstat``).

    python bench/python/array_client_ab.py --base DIR [--rounds 6] [--calls 40] [--wake]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIDE = """
import json, os, statistics, sys, threading, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import numpy as np, crucial
calls = int(sys.argv[2])
arr = np.random.default_rng(0).random(1_000_000)

def cpu(pid, tid):
    return int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])

with crucial.start_local_dso() as node:
    conn = crucial.connect(node.address)
    ref = crucial.AtomicReference(f"ab{time.time_ns()}", connection=conn)
    ref.set(arr)
    assert np.array_equal(ref.get(), arr)
    me = os.getpid()
    names = {t.native_id: t.name for t in threading.enumerate()}
    tids = {"caller": threading.get_native_id(), "node": None}
    for t in Path(f"/proc/{me}/task").iterdir():
        comm = (t / "comm").read_text().strip()
        if comm.startswith("ZMQbg/IO") and "zmq_io" not in tids:
            tids["zmq_io"] = int(t.name)
        if names.get(int(t.name), "").startswith("crucial-io"):
            tids["crucial_io"] = int(t.name)
    def snap():
        return {k: cpu(node.process.pid if k == "node" else me, node.process.pid if k == "node" else v) for k, v in tids.items()}
    if sys.argv[3] == "wake":
        conn._wake()  # what a takeover, a handover or a call_async does: the state a long-lived process reaches
    a = snap()
    up, down = [], []
    for _ in range(calls):
        t = time.perf_counter(); ref.set(arr); up.append(time.perf_counter() - t)
        t = time.perf_counter(); ref.get(); down.append(time.perf_counter() - t)
    b = snap()
    conn.close()
print(json.dumps({"set": statistics.median(up) * 1e3, "get": statistics.median(down) * 1e3,
                  **{k: (b[k] - a[k]) / calls / 2 / 1e6 for k in a}}))
"""


def side(py: Path, calls: int, wake: bool) -> dict:
    env = {**os.environ, "CRUCIAL_HOME": str(REPO)}
    out = subprocess.run([sys.executable, "-c", SIDE, str(py), str(calls), "wake" if wake else "-"], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--calls", type=int, default=40)
    ap.add_argument("--wake", action="store_true", help="wake the connection's I/O thread once before timing (before 6cc0622 it then spun for good)")
    args = ap.parse_args()
    sides = {"before": Path(args.base) / "bridges" / "python", "after": REPO / "bridges" / "python"}
    res: dict = {"before": [], "after": []}
    loads = [os.getloadavg()[0]]
    cols = ("set", "get", "caller", "zmq_io", "crucial_io", "node")
    print("| round | side | set p50 ms | get p50 ms | CPU ms per call (set and get averaged): caller | libzmq I/O | crucial-io | node main |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in range(args.rounds):
        for name in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
            x = side(sides[name], args.calls, args.wake)
            res[name].append(x)
            print(f"| {r + 1} | {name} | " + " | ".join(f"{x.get(c, float('nan')):.2f}" for c in cols) + " |", flush=True)
    loads.append(os.getloadavg()[0])
    print(f"medians (load {loads[0]:.1f} → {loads[1]:.1f}):")
    for name, xs in res.items():
        med = {c: statistics.median(x.get(c, float("nan")) for x in xs) for c in cols}
        print(f"  {name}: set {med['set']:.2f} ms ({8 / med['set']:.2f} GB/s), get {med['get']:.2f} ms ({8 / med['get']:.2f} GB/s); "
              f"CPU per call caller {med['caller']:.2f}, libzmq I/O {med['zmq_io']:.2f}, crucial-io {med['crucial_io']:.2f}, node {med['node']:.2f} ms")
    b = {c: statistics.median(x[c] for x in res["before"]) for c in ("set", "get")}
    a = {c: statistics.median(x[c] for x in res["after"]) for c in ("set", "get")}
    print(f"after/before: set {a['set'] / b['set']:.2f}, get {a['get'] / b['get']:.2f}")


if __name__ == "__main__":
    main()
