"""
Real Lithops (localhost backend) running functions that share state through crucial objects instead
of Redis: a counter, a barrier and a map merged on the node.
"""
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
