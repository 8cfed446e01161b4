"""
Live interop: a TypeScript CloudThread and Python worker processes (crucial.lithops) increment the
same AtomicLong to an exact total and meet at the same CyclicBarrier, in one test.
"""
import os
import subprocess
from pathlib import Path

from crucial import AtomicLong, CyclicBarrier
from crucial.lithops import FunctionExecutor

REPO = Path(__file__).resolve().parents[3]
FIXTURE = Path(__file__).parent / "fixtures" / "interop-thread.ts"


def python_party(counter_key, barrier_key, times):
    counter, barrier = AtomicLong(counter_key), CyclicBarrier(barrier_key)
    for _ in range(times):
        counter.add_and_get(1)
    barrier.await_(timeout=60)
    return counter.get()


def test_a_typescript_cloud_thread_and_python_processes_share_a_counter_and_a_barrier(dso, key):
    counter_key, barrier_key, times, py_parties = key + "-count", key + "-barrier", 300, 2
    parties = py_parties + 1
    CyclicBarrier(barrier_key, parties).get_parties()
    ts = subprocess.Popen([str(REPO / "node_modules" / ".bin" / "tsx"), str(FIXTURE), counter_key, barrier_key, str(parties), str(times)],
                          cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "CRUCIAL_DSO": dso.address})
    try:
        fexec = FunctionExecutor(workers=py_parties, show_progressbar=False)
        seen = fexec.map(python_party, [(counter_key, barrier_key, times)] * py_parties).get_result(timeout=120)
        out, err = ts.communicate(timeout=120)
    finally:
        if ts.poll() is None:
            ts.kill()
    assert ts.returncode == 0, err
    total = times * parties
    assert AtomicLong(counter_key).get() == total
    # Every party read the counter after the barrier tripped, so every one saw the full total.
    assert seen == [total] * py_parties
    assert f"counter={total}" in out
