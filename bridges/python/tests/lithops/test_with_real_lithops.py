"""
Real Lithops (localhost backend) running functions that share state through crucial objects instead
of Redis: a counter, a barrier and a map merged on the node.
"""
import json
import os

import lithops  # a [test] dependency: missing, it fails the collection instead of skipping
import pytest

from crucial import AtomicLong, AtomicMap, CyclicBarrier


def lithops_config(workers):
    return {"lithops": {"backend": "localhost", "storage": "localhost", "log_level": None},
            "localhost": {"worker_processes": workers}}


def party(counter_key, barrier_key, stats_key, times):
    counter, barrier, stats = AtomicLong(counter_key), CyclicBarrier(barrier_key), AtomicMap(stats_key)
    for _ in range(times):
        counter.increment_and_get()
    stats.merge("calls", times, "sum")
    barrier.await_(timeout=60)
    return counter.get()


def test_lithops_localhost_functions_use_crucial_objects_in_place_of_redis(dso, key):
    parties, times = 3, 50
    CyclicBarrier(key + "-b", parties).get_parties()
    fexec = lithops.FunctionExecutor(config=lithops_config(parties))
    fexec.map(party, [(key + "-c", key + "-b", key + "-m", times)] * parties)
    seen = fexec.get_result(show_progressbar=False)
    assert seen == [parties * times] * parties
    assert AtomicLong(key + "-c").get() == parties * times
    assert AtomicMap(key + "-m")["calls"] == parties * times


def test_lithops_workers_find_the_dso_through_crucial_dso(dso):
    fexec = lithops.FunctionExecutor(config=lithops_config(1))
    fexec.call_async(lambda _: os.environ.get("CRUCIAL_DSO"), 0)
    assert fexec.get_result(show_progressbar=False) == dso.address


REAL_LITHOPS_FIRST = """
    import json, sys
    import lithops
    from crucial import AtomicLong

    def bump(_):
        return AtomicLong("c").add_and_get(1)

    if sys.argv[-1] == "ensure-first":
        import crucial
        crucial.ensure_dso()
    config = {"lithops": {"backend": "localhost", "storage": "localhost", "log_level": None},
              "localhost": {"worker_processes": 2}}
    fexec = lithops.FunctionExecutor(config=config)
    fexec.map(bump, range(4))
    try:
        print(json.dumps({"counts": sorted(fexec.get_result(show_progressbar=False)), "parent": AtomicLong("c").get()}))
    except Exception as e:
        print(json.dumps({"error": f"{type(e).__name__}: {e}", "parent": AtomicLong("c").get()}))
"""


def test_a_real_lithops_worker_with_no_node_address_fails_clearly_instead_of_embedding_a_second_node():
    # Each worker embedding its own node would return per-node counts and leave the parent at 0.
    from .programs import run_program
    out = run_program(REAL_LITHOPS_FIRST.replace("sys.argv[-1]", repr("executor-first")), timeout=240)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert "error" in got, got
    assert "crucial.ensure_dso()" in got["error"]
    assert got["parent"] == 0


def test_real_lithops_after_ensure_dso_shares_the_parents_node():
    from .programs import run_program
    out = run_program(REAL_LITHOPS_FIRST.replace("sys.argv[-1]", repr("ensure-first")), timeout=240)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"counts": [1, 2, 3, 4], "parent": 4}
