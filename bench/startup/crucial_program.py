"""The crucial Python side of the start-up bench: the first ``fexec.call_async`` result from a new
crucial FunctionExecutor (which embeds the DSO node: the checkout's, or the wheel's bundled one),
then warm round trips. Prints one JSON line, like lithops_program.py. With ``--dso`` the task adds to an
``AtomicLong`` (so its first result waits for the node too, as bench/startup.ts's CloudThread row)."""
import json
import sys
import time

from crucial.lithops import FunctionExecutor


def double(x):
    return 2 * x


def add_to_counter(x):
    from crucial import AtomicLong

    AtomicLong("startup-counter").add_and_get(x)
    return 2 * x


args = [a for a in sys.argv[1:] if a != "--dso"]
task = add_to_counter if "--dso" in sys.argv else double
warm_runs = int(args[0]) if args else 5
fexec = FunctionExecutor(show_progressbar=False)
assert fexec.call_async(task, 21).result() == 42
first = time.time() * 1000
warm = []
for _ in range(warm_runs):
    t0 = time.perf_counter()
    fexec.call_async(task, 21).result()
    warm.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"first": first, "warm": warm}))
fexec.clean()
