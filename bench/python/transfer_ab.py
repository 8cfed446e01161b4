"""
Before/after of the 8 MB float64 transfer from Python in one run (issue 13): the node of another
checkout (``CRUCIAL_HOME=DIR``, e.g. ``git archive <commit> | tar -x -C DIR`` with node_modules linked)
and this checkout's, alternating per round; medians of ``AtomicReference.set`` / ``.get`` per side.

    python bench/python/transfer_ab.py --base DIR [--rounds 4] [--calls 20]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
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
    for r in range(args.rounds):
        for side in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
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


if __name__ == "__main__":
    main()
