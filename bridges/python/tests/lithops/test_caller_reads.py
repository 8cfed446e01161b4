"""
The thread that waits on a call's future reads its worker's reply itself (issue 13): through
``result()``, and through ``get_result()`` / ``wait()`` when one call is left. Each call here blocks in
its worker on a FIFO until the test writes to it, once the waiting thread has claimed the reply, so
the thread that completes the future is decided before the reply exists. A ``result(timeout)`` that
gives up leaves the reply to the pool, and the value still arrives.
"""
import os
import threading

import pytest

from crucial import errors
from crucial.lithops import FunctionExecutor
from crucial.worker.pool import WorkerPool
from crucial.worker.slot import CLAIMED


def size_of(data):
    return len(data)


def wait_fifo(path):
    with open(path) as f:
        return f.read()


@pytest.fixture()
def fx():
    pool = WorkerPool(1)
    ex = FunctionExecutor(pool=pool, show_progressbar=False)
    ex.call_async(os.getpid, ()).result()  # warm: the worker is idle, so the next call is handed to it
    yield ex
    pool.shutdown()


def claimed(pool):
    """An event set once a thread has claimed a reply."""
    ev = threading.Event()
    orig = pool._watch

    def watch(slot):
        orig(slot)
        if slot.reader not in (None, CLAIMED):  # a thread, not the submit's claim
            ev.set()

    pool._watch = watch
    return ev


@pytest.mark.parametrize("how", ["result", "get_result", "wait"])
def test_the_thread_waiting_on_the_last_call_completes_it(fx, tmp_path, how):
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    ev = claimed(fx._pool)
    fut = fx.call_async(wait_fifo, str(fifo))
    completed_in = []
    fut.add_done_callback(lambda f: completed_in.append(threading.current_thread().name))
    got = []
    waits = {"result": lambda: got.append(fut.result()), "get_result": lambda: got.append(fx.get_result(fut)),
             "wait": lambda: got.append(fx.wait(fut)[0][0].result())}
    waiter = threading.Thread(target=waits[how], name="the-waiter")
    waiter.start()
    assert ev.wait(60), "the waiting thread did not claim the reply"
    fifo.write_text("go")
    waiter.join(60)
    assert got == ["go"]
    assert completed_in == ["the-waiter"]


def test_a_result_that_times_out_leaves_the_reply_to_the_pool_and_the_value_still_arrives(fx, tmp_path):
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    fut = fx.call_async(wait_fifo, str(fifo))
    with pytest.raises(errors.TimeoutError):
        fut.result(timeout=0.05)
    completed_in, done = [], threading.Event()
    fut.add_done_callback(lambda f: (completed_in.append(threading.current_thread().name), done.set()))
    fifo.write_text("late")
    assert done.wait(60)
    assert completed_in[0].startswith("crucial-worker-")
    assert fut.result() == "late"


def test_a_finished_future_keeps_nothing_of_its_task(fx):
    # The reader the future holds refers to its task (the pickled arguments): a map's futures kept
    # until clean() must not keep every call's arguments alive.
    import types

    from crucial.worker.pool import Task

    futs = fx.map(size_of, [b"x" * 100_000 for _ in range(4)])
    assert [f.result() for f in futs] == [100_000] * 4
    def reachable(obj, depth=4):
        """What the future's own fields reach through closures, cells and containers (not module globals)."""
        if isinstance(obj, Task) or depth == 0:
            return [obj]
        if isinstance(obj, types.FunctionType):
            nxt = [c.cell_contents for c in obj.__closure__ or ()]
        elif isinstance(obj, (list, tuple)):
            nxt = list(obj)
        elif isinstance(obj, dict):
            nxt = list(obj.values())
        else:
            return [obj]
        return [r for o in nxt for r in reachable(o, depth - 1)]

    held = [r for f in futs for r in reachable(vars(f)) if isinstance(r, Task)]
    assert held == []
