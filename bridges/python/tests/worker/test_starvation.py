"""
A pool grows when its workers wait on tasks queued behind them (more barrier parties than workers),
and does not while its busy workers compute. Programs run in a fresh interpreter, as a user runs one.
"""
import json

from crucial.worker.starvation import cpu_ticks, max_workers

from ..lithops.programs import run_program


def test_more_barrier_parties_than_workers_still_meet_the_pool_grows_to_one_per_party():
    # workers=1: the pool starts with one process whatever the machine's cores; three parties need three.
    p = run_program("""
        import json, crucial
        from crucial import CyclicBarrier
        from crucial.worker.pool import WorkerPool
        from crucial.lithops import FunctionExecutor

        def party(i):
            b = CyclicBarrier('starve.b', 3)
            return [b.await_(timeout=30) for _ in range(3)]

        fexec = FunctionExecutor(pool=WorkerPool(1))
        rounds = fexec.get_result(fexec.map(party, range(3)))
        print(json.dumps({"rounds": sorted(map(sorted, zip(*rounds))), "size": fexec._pool.size}))
    """, timeout=90)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    # Every round, each party got its own arrival index: all three met three times.
    assert out["rounds"] == [[0, 1, 2]] * 3
    assert out["size"] == 3
    assert "starting worker 2" in p.stderr


def test_workers_that_compute_are_not_joined_by_more():
    p = run_program("""
        import json, time
        from crucial.worker.pool import WorkerPool
        from crucial.lithops import FunctionExecutor

        def spin(s):
            end = time.process_time() + s
            while time.process_time() < end:
                pass
            return s

        fexec = FunctionExecutor(pool=WorkerPool(1))
        print(json.dumps({"done": fexec.get_result(fexec.map(spin, [2.5, 0.1])), "size": fexec._pool.size}))
    """, timeout=90)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    assert out == {"done": [2.5, 0.1], "size": 1}


def test_cpu_ticks_reads_this_process_and_bounds():
    import os

    assert isinstance(cpu_ticks(os.getpid()), int)
    assert cpu_ticks(2**22 + 12345) is None
    assert max_workers() >= 64
