"""
Before/after of the 8 MB float64 transfer from Python in one run (issue 13), alternating per round;
medians of ``AtomicReference.set`` / ``.get`` per side. Two kinds of base:

- a checkout with a node (``DIR/dso/node.ts``; e.g. ``git archive <commit> | tar -x -C DIR`` with
  node_modules linked): the node changes (``CRUCIAL_HOME=DIR``), this checkout's client on both sides;
- a client only (``DIR/bridges/python`` without ``DIR/dso``; e.g. ``git archive <commit> bridges/python
  bench/python | tar -x -C DIR`` and this checkout's ``_node`` copied in): the Python client changes,
  each side's in a fresh process of its own, both against a node started from this checkout.

    python bench/python/transfer_ab.py --base DIR [--rounds 4] [--calls 20]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# One side's client in a process of its own: two copies of the package cannot share one process.
CLIENT_SIDE = """
import json, sys, time
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import numpy as np, crucial
from transfer import time_set_get
arr = np.random.default_rng(0).random(1_000_000)
with crucial.start_local_dso() as node:
    conn = crucial.connect(node.address)
    try:
        print(json.dumps(time_set_get(crucial.AtomicReference(f"xfer{time.time_ns()}", connection=conn), arr, int(sys.argv[3]))))
    finally:
        conn.close()
"""


def client_side(py: Path, calls: int):
    env = {**os.environ, "CRUCIAL_HOME": str(REPO)}
    out = subprocess.run([sys.executable, "-c", CLIENT_SIDE, str(py), str(HERE), str(calls)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return tuple(json.loads(out.strip().splitlines()[-1]))

import numpy as np

sys.path.insert(0, str(HERE))
import crucial  # noqa: E402
from transfer import time_set_get  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    arr = np.random.default_rng(0).random(1_000_000)
    res = {"before": [], "after": []}
    client_only = not (Path(args.base) / "dso" / "node.ts").is_file()
    if client_only:
        print(f"client A/B: {args.base}/bridges/python against {REPO}/bridges/python, node from {REPO}; load {os.getloadavg()[0]:.1f}")
    for r in range(args.rounds):
        for side in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
            if client_only:
                py = Path(args.base) / "bridges" / "python" if side == "before" else REPO / "bridges" / "python"
                up, down = client_side(py, args.calls)
                res[side].append((up, down))
                print(f"round {r + 1} {side:6s} set {up:6.2f} ms  get {down:6.2f} ms", flush=True)
                continue
            if side == "before":
                os.environ["CRUCIAL_HOME"] = args.base
            else:
                os.environ.pop("CRUCIAL_HOME", None)
            with crucial.start_local_dso() as node:
                conn = crucial.connect(node.address)
                try:
                    up, down = time_set_get(crucial.AtomicReference(f"xfer{time.time_ns()}", connection=conn), arr, args.calls)
                finally:
                    conn.close()
            res[side].append((up, down))
            print(f"round {r + 1} {side:6s} set {up:6.2f} ms  get {down:6.2f} ms", flush=True)
    for side, xs in res.items():
        up = statistics.median(x[0] for x in xs)
        down = statistics.median(x[1] for x in xs)
        print(f"{side}: set {up:.2f} ms ({arr.nbytes / 1e6 / up:.2f} GB/s), get {down:.2f} ms ({arr.nbytes / 1e6 / down:.2f} GB/s)")
    b = [statistics.median(x[i] for x in res["before"]) for i in (0, 1)]
    a = [statistics.median(x[i] for x in res["after"]) for i in (0, 1)]
    print(f"after/before: set {a[0] / b[0]:.2f}, get {a[1] / b[1]:.2f}; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
