"""The Lithops localhost baseline of the start-up bench: the first call_async result from a new
FunctionExecutor, then warm round trips on the same executor. Prints one JSON line."""
import json
import sys
import time

import lithops


def double(x):
    return 2 * x


warm_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
fexec = lithops.FunctionExecutor(config={"lithops": {"backend": "localhost", "storage": "localhost", "log_level": None}})
assert fexec.call_async(double, 21).result() == 42
first = time.time() * 1000
warm = []
for _ in range(warm_runs):
    t0 = time.perf_counter()
    fexec.call_async(double, 21).result()
    warm.append((time.perf_counter() - t0) * 1000)
print(json.dumps({"first": first, "warm": warm}))
fexec.clean()
