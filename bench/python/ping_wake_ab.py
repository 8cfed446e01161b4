"""
What the spinning I/O thread (fixed in 6cc0622, issue 13 py-8mb) cost a small call: ``Connection.ping``
p50 and the ``crucial-io`` thread's CPU per call, with the thread woken once first (the state any
long-lived process reached), a client before (``--base DIR``: ``DIR/bridges/python``) and this
checkout's, alternating in fresh processes against a node from this checkout.

    python bench/python/ping_wake_ab.py --base DIR [--rounds 3] [--calls 2000]
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SIDE = """
import sys, time, statistics, threading
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import crucial
n = int(sys.argv[2])
with crucial.start_local_dso() as node:
    conn = crucial.connect(node.address)
    for _ in range(200):
        conn.ping()
    conn._wake()
    io = [t.native_id for t in threading.enumerate() if t.name.startswith("crucial-io")][0]
    st = Path(f"/proc/self/task/{io}/schedstat")
    c0, ms = int(st.read_text().split()[0]), []
    for _ in range(n):
        t = time.perf_counter(); conn.ping(); ms.append((time.perf_counter() - t) * 1e3)
    print(statistics.median(ms), (int(st.read_text().split()[0]) - c0) / n / 1e6)
    conn.close()
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--calls", type=int, default=2000)
    args = ap.parse_args()
    sides = (("before", Path(args.base) / "bridges" / "python"), ("after", REPO / "bridges" / "python"))
    for r in range(args.rounds):
        for name, py in (sides if r % 2 == 0 else sides[::-1]):
            out = subprocess.run([sys.executable, "-c", SIDE, str(py), str(args.calls)], env={**os.environ, "CRUCIAL_HOME": str(REPO)},
                                 check=True, capture_output=True, text=True).stdout.split()
            print(f"round {r + 1} {name}: ping p50 {float(out[0]):.3f} ms, crucial-io CPU {float(out[1]):.3f} ms per call, "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
