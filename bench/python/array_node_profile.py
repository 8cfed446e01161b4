"""
Where the node's time goes during 8 MB ``AtomicReference.set`` / ``.get`` from Python (issue 13): runs the
node of this checkout under ``node --cpu-prof`` (a ``node`` wrapper first on PATH: ``--cpu-prof`` is not
allowed in NODE_OPTIONS), makes ``--calls`` sets, then as many gets, each phase timed, and prints the
node's main thread per call by function (self time, and inclusive time along the call path) over
each phase's window, sampled every 100 µs. V8's samples are taken by the clock, not by CPU used: on a
loaded machine, time the thread spends preempted (often at a syscall's return) counts as that
syscall's, so the phase's actual main-thread CPU (``/proc/<pid>/schedstat``) is printed beside them.

    python bench/python/array_node_profile.py [--calls 200] [--top 12]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bridges" / "python"))

import numpy as np  # noqa: E402

import crucial  # noqa: E402


def profile_windows(path: Path, windows, top: int) -> None:
    p = json.loads(path.read_text())
    nodes = {n["id"]: n for n in p["nodes"]}
    parent = {c: n["id"] for n in p["nodes"] for c in n.get("children", [])}
    t, stamps = p["startTime"], []
    for d in p["timeDeltas"]:
        t += d
        stamps.append(t)
    for name, lo, hi, calls in windows:
        self_t, incl = collections.Counter(), collections.Counter()
        total = 0
        for sid, ts, d in zip(p["samples"], stamps, p["timeDeltas"]):
            if not lo <= ts <= hi:
                continue
            total += d
            cf = nodes[sid]["callFrame"]
            self_t[f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}"] += d
            seen, n = set(), sid
            while n in nodes:
                cf = nodes[n]["callFrame"]
                key = f"{cf['functionName'] or '(anon)'} {cf['url'].split('/')[-1]}"
                if key not in seen:
                    incl[key] += d
                    seen.add(key)
                n = parent.get(n)
        idle = self_t.pop("(idle) ", 0)
        incl.pop("(idle) ", None)
        incl.pop("(root) ", None)
        print(f"\n{name}: {calls} calls, node main thread busy {(total - idle) / calls / 1e3:.2f} ms per call (idle {idle / calls / 1e3:.2f})")
        print("  self, ms per call:      " + "; ".join(f"{k.strip()} {v / calls / 1e3:.3f}" for k, v in self_t.most_common(top)))
        print("  inclusive, ms per call: " + "; ".join(f"{k.strip()} {v / calls / 1e3:.3f}" for k, v in incl.most_common(top)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="array-node-profile-"))
    node = shutil.which("node") or "node"
    wrapper = work / "bin" / "node"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {node} --cpu-prof --cpu-prof-dir="{work}" --cpu-prof-interval 100 "$@"\n')
    wrapper.chmod(0o755)
    os.environ["PATH"] = f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}"
    arr = np.random.default_rng(0).random(1_000_000)
    windows = []
    with crucial.start_local_dso() as dso:
        conn = crucial.connect(dso.address)
        ref = crucial.AtomicReference(f"prof{time.time_ns()}", connection=conn)
        ref.set(arr)
        ref.get()
        stat = Path(f"/proc/{dso.process.pid}/schedstat")
        for name, fn in (("set", lambda: ref.set(arr)), ("get", ref.get)):
            # The profile's clock is µs of CLOCK_MONOTONIC, as time.monotonic_ns is on Linux.
            cpu0 = int(stat.read_text().split()[0])
            lo = time.monotonic_ns() // 1000
            for _ in range(args.calls):
                fn()
            hi = time.monotonic_ns() // 1000
            cpu = (int(stat.read_text().split()[0]) - cpu0) / args.calls / 1e6
            windows.append((name, lo, hi, args.calls))
            print(f"{name}: {(hi - lo) / args.calls / 1e3:.2f} ms per call (wall, profiled); node main thread CPU {cpu:.2f} ms per call (schedstat)")
        conn.close()
    profiles = sorted(work.glob("*.cpuprofile"), key=lambda f: f.stat().st_size, reverse=True)
    if not profiles:
        raise SystemExit(f"no profile written in {work}")
    profile_windows(profiles[0], windows, args.top)  # the node's main thread: the largest profile
    print(f"\nload {os.getloadavg()[0]:.1f}; profiles in {work}")


if __name__ == "__main__":
    main()
