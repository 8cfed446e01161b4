"""
Before/after of the Python empty-task round trip (issue 13): ``bench/python/empty_task.py`` run in
fresh processes, alternating another checkout's ``crucial`` package (``--base DIR``) and this one's,
each with its own warm executor and worker processes; medians over rounds of each side's p50 / p99, and each
run's ratio to a bare socketpair ping-pong with a child process measured in the same run (``--floor``).

    python bench/python/empty_task_ab.py --base DIR [--rounds 6] [--n 2000]

Both sides use the node of ``CRUCIAL_HOME`` when set (a stable checkout while others edit this one).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--base", required=True, type=Path)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    pkgs = {"before": str(args.base.resolve() / "bridges" / "python"), "after": str(HERE.parents[1] / "bridges" / "python")}
    res = {"before": [], "after": []}
    for r in range(args.rounds):
        for side in (["before", "after"] if r % 2 == 0 else ["after", "before"]):
            env = {**os.environ, "CRUCIAL_PY": pkgs[side]}
            env.pop("CRUCIAL_DSO", None)
            out = subprocess.run([sys.executable, str(HERE / "empty_task.py"), "--json", "--floor", "--n", str(args.n)], env=env,
                                 capture_output=True, text=True, timeout=600)
            line = next((x for x in out.stdout.splitlines() if x.startswith("{")), None)
            if line is None:
                raise SystemExit(f"{side} failed:\n{out.stderr[-2000:]}")
            m = json.loads(line)
            res[side].append(m)
            print(f"round {r + 1} {side:6s} p50 {m['p50']:.3f} ms  p99 {m['p99']:.3f} ms  mean {m['mean']:.3f} ms  "
                  f"floor p50 {m['floor_p50']:.3f} ms (x{m['p50'] / m['floor_p50']:.2f})  load {m['load']:.1f}", flush=True)
    med = {s: {k: statistics.median(x[k] for x in xs) for k in ("p50", "p99", "mean")} for s, xs in res.items()}
    for s, m in med.items():
        print(f"{s}: p50 {m['p50']:.3f} ms, p99 {m['p99']:.3f} ms, mean {m['mean']:.3f} ms (medians of {args.rounds})")
    for s, xs in res.items():
        print(f"{s}: crucial/floor p50 {statistics.median(x['p50'] / x['floor_p50'] for x in xs):.2f} (median over rounds; floor = bare socketpair ping-pong, same run)")
    print(f"after/before: p50 {med['after']['p50'] / med['before']['p50']:.2f}, p99 {med['after']['p99'] / med['before']['p99']:.2f}")


if __name__ == "__main__":
    main()
