"""
The worker pool against its own processes: a worker killed while idle is replaced before it is given
work (the task runs once, with no retry spent), and the parent's record of the functions a worker
holds stays in step with the worker's cache however many jobs go by.
"""
import logging
import os
import select
import signal
import threading

import cloudpickle
import pytest

from crucial.worker.pool import Task, WorkerPool


def run(pool, fn_key, fn, *args, retries=0):
    """Runs one task on ``pool`` and returns ``(ok, value, stats)``."""
    done = threading.Event()
    out = []

    def on_done(ok, value, stats):
        out.append((ok, value, stats))
        done.set()

    pool.submit(Task(f"{fn_key}/0", fn_key, cloudpickle.dumps(fn), cloudpickle.dumps((args, {})), on_done, retries=retries))
    assert done.wait(60), f"task of {fn_key} did not finish"
    return out[0]


@pytest.fixture()
def pool():
    p = WorkerPool(1)
    yield p
    p.shutdown()


def test_a_worker_killed_while_idle_is_replaced_before_it_gets_a_task_and_no_retry_is_spent(pool):
    ok, pid, _ = run(pool, "job-0", os.getpid)
    assert ok and pool.pids == [pid]
    gone = os.pidfd_open(pid)
    try:
        os.kill(pid, signal.SIGKILL)
        assert select.select([gone], [], [], 30)[0], "the killed worker did not exit"
    finally:
        os.close(gone)
    ok, value, stats = run(pool, "job-1", lambda a, b: (a + b, os.getpid()), 2, 3, retries=0)
    assert ok, value
    assert value[0] == 5 and value[1] != pid
    assert stats["attempts"] == 1


def test_a_job_run_again_after_a_hundred_other_jobs_still_finds_its_function(pool):
    def job0(x):
        return ("job-0", x)

    assert run(pool, "job-0", job0, 1)[:2] == (True, ("job-0", 1))
    for j in range(1, 101):
        ok, value, _ = run(pool, f"job-{j}", lambda x, j=j: x * j, 2)
        assert ok and value == 2 * j, value
    ok, value, _ = run(pool, "job-0", job0, 2)
    assert ok, value
    assert value == ("job-0", 2)


def test_a_function_that_cannot_be_loaded_fails_every_task_of_its_job_with_the_load_error(pool):
    class Unloadable:
        def __reduce__(self):
            return (_raise_on_load, ())

        def __call__(self):
            return "never"

    for _ in range(2):
        ok, err, _ = run(pool, "job-bad", Unloadable())
        assert not ok
        assert "cannot be loaded here" in str(err)


def _raise_on_load():
    raise ValueError("cannot be loaded here")


def test_a_worker_follows_the_parent_to_another_node(pool, dso, monkeypatch):
    from crucial.client.context import LocalDso

    def count(key):
        from crucial import AtomicLong

        return AtomicLong(key).increment_and_get(), os.environ["CRUCIAL_DSO"]

    monkeypatch.setenv("CRUCIAL_DSO", dso.address)
    assert run(pool, "job-a", count, "follow")[:2] == (True, (1, dso.address))
    with LocalDso(port=0, root=dso.root) as other:
        monkeypatch.setenv("CRUCIAL_DSO", other.address)
        ok, value, _ = run(pool, "job-b", count, "follow")
        assert ok, value
        assert value == (1, other.address)  # the second node starts empty: 2 would mean the first node answered


def test_a_task_for_an_idle_worker_is_handed_over_by_the_submitting_thread(pool):
    # The slot's thread no longer relays it (one thread switch less per task): what the pool runs
    # when the worker takes the task runs in the submitter's thread.
    run(pool, "warm", os.getpid)
    started, done = [], threading.Event()
    pool.submit(Task("handoff/0", "handoff", cloudpickle.dumps(lambda: 7), cloudpickle.dumps(((), {})),
                     lambda ok, value, stats: (started.append(("done", ok, value)), done.set()),
                     on_start=lambda: started.append(threading.current_thread())))
    assert done.wait(60)
    assert started == [threading.current_thread(), ("done", True, 7)]


def test_tasks_from_many_threads_on_two_workers_each_run_once_with_their_own_result():
    p = WorkerPool(2)
    results, lock = {}, threading.Lock()
    finished = threading.Semaphore(0)
    try:
        def submitter(t):
            for i in range(25):
                def on_done(ok, value, stats, key=(t, i)):
                    with lock:
                        results.setdefault(key, []).append((ok, value))
                    finished.release()

                p.submit(Task(f"m{t}/{i}", f"m{t}", cloudpickle.dumps(lambda a, b: a * 100 + b), cloudpickle.dumps(((t, i), {})), on_done))

        threads = [threading.Thread(target=submitter, args=(t,)) for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        for _ in range(100):
            assert finished.acquire(timeout=60), f"{len(results)} of 100 tasks finished"
        assert results == {(t, i): [(True, t * 100 + i)] for t in range(4) for i in range(25)}
    finally:
        p.shutdown()



def test_a_task_submitted_while_the_pool_shuts_down_is_refused_not_left_behind():
    # The pool shuts down (its slot threads gone) at the moment a submit is about to take the pool's
    # lock: a line trace on the submitting thread runs shutdown() right there, the instant between
    # any two lines of submit. The submit must then raise RejectedError; one that checked `closed`
    # before taking the lock queued its task behind stopped slot threads, and its future never finished.
    import sys

    from crucial.errors import RejectedError
    from crucial.worker import pool as pool_module

    pool = WorkerPool(1)
    assert run(pool, "warm", os.getpid)[0]
    lines = open(pool_module.__file__).read().splitlines()
    fired = []

    def tracer(frame, event, arg):
        if frame.f_code is WorkerPool.submit.__code__:
            if event == "line" and not fired and "with self._lock" in lines[frame.f_lineno - 1]:
                fired.append(True)
                pool.shutdown(wait=True)
            return tracer
        return None

    done = threading.Event()
    task = Task("late/0", "late", cloudpickle.dumps(os.getpid), cloudpickle.dumps(((), {})), lambda ok, value, stats: done.set())
    sys.settrace(tracer)
    try:
        with pytest.raises(RejectedError):
            pool.submit(task)
    finally:
        sys.settrace(None)
    assert fired, "submit has no `with self._lock` line to stop at"
    assert not done.is_set()


def test_an_idle_workers_exit_is_noticed_without_a_task_after_its_caller_read_the_last_reply(monkeypatch):
    # The caller reads the reply itself (read_reply) and leaves the pipe disarmed; the hang-up must still
    # wake the slot's thread (whose ticks, which re-arm the pipe, are made too long to matter here).
    from crucial.worker import slot_thread

    monkeypatch.setattr(slot_thread, "CLAIM_TICK_MS", 600_000)
    pool = WorkerPool(1)
    seen = threading.Event()

    class Exited(logging.Handler):
        def emit(self, record):
            if "while idle" in record.getMessage():
                seen.set()

    handler = Exited()
    logging.getLogger("crucial.worker.pool").addHandler(handler)
    try:
        for i in range(3):  # the first may wait in the queue for the worker to start; the others are handed over
            out, done = [], threading.Event()
            task = Task(f"idle/{i}", "idle", cloudpickle.dumps(os.getpid), cloudpickle.dumps(((), {})),
                        lambda ok, v, st: (out.append(v), done.set()))
            pool.submit(task)
            pool.read_reply(task)
            assert done.wait(60)
        pid = out[0]
        assert pool.pids == [pid]
        os.kill(pid, signal.SIGKILL)
        assert seen.wait(30), "the idle worker's exit went unnoticed"
    finally:
        logging.getLogger("crucial.worker.pool").removeHandler(handler)
        pool.shutdown()
