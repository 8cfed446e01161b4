"""
Python's 8 MB set with and without the split attachment (PROTOCOL.md §4.1), interleaved on one node.

"split": the array goes as [head, its own values, tail], no copy (the default since it landed);
"joined": the values copied once into one stream frame, as before. Both over the node's TCP port and
over its Unix socket, in alternating blocks so both see the same machine state; prints median
set/get times, GB/s and the split/joined time ratio.

``python bench/python/split_ab.py [--rounds 5] [--calls 20] [--n 1000000]``
"""
import argparse
import statistics

import numpy as np

import crucial
from crucial.wire import arrow_templates
from transfer import time_set_get  # this folder's: run as a script, it is on sys.path


def block(ref, arr, calls, split):
    """Median set and get times (ms) of ``calls`` set/get pairs (transfer.py's), the split threshold set as asked."""
    keep = arrow_templates.SPLIT_MIN_BYTES
    arrow_templates.SPLIT_MIN_BYTES = keep if split else 1 << 62
    try:
        return time_set_get(ref, arr, calls)
    finally:
        arrow_templates.SPLIT_MIN_BYTES = keep


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--n", type=int, default=1_000_000, help="float64 elements (default 1e6: 8 MB)")
    a = ap.parse_args()
    arr = np.random.default_rng(1).random(a.n)
    node = crucial.start_local_dso(ipc=True)
    try:
        links = {"tcp": crucial.connect(node.address), "ipc": crucial.connect(node.ipc_address)}
        refs = {k: crucial.AtomicReference("split-ab-" + k, connection=c) for k, c in links.items()}
        for ref in refs.values():
            ref.set(arr)
            if not np.array_equal(ref.get(), arr):
                raise SystemExit("the array came back different")
        res = {(k, s): ([], []) for k in refs for s in ("split", "joined")}
        for r in range(a.rounds):
            for k, ref in refs.items():
                for s in (("split", "joined") if r % 2 == 0 else ("joined", "split")):
                    up, down = block(ref, arr, a.calls, s == "split")
                    res[(k, s)][0].append(up)
                    res[(k, s)][1].append(down)
        mb = arr.nbytes / 1e6
        print(f"{a.n} float64 ({mb:.1f} MB), {a.rounds} rounds x {a.calls} calls per side")
        print("| link | attachment | set p50 ms | get p50 ms | set GB/s | get GB/s |")
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        med = {key: (statistics.median(v[0]), statistics.median(v[1])) for key, v in res.items()}
        for (k, s), (up, down) in med.items():
            print(f"| {k} | {s} | {up:.2f} | {down:.2f} | {mb / up:.2f} | {mb / down:.2f} |")
        for k in refs:
            print(f"{k}: split/joined set time {med[(k, 'split')][0] / med[(k, 'joined')][0]:.2f}, get time {med[(k, 'split')][1] / med[(k, 'joined')][1]:.2f}")
    finally:
        node.stop()


if __name__ == "__main__":
    main()
