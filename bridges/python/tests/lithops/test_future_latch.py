"""
A future's completion is one lock released (``_Latch``, issue 13) instead of a ``threading.Event``:
these check what the Event gave — many waiters on one future, timeouts, a second completion ignored —
and many threads each waiting on their own task of one worker.
"""
import os
import random
import threading

import pytest

from crucial import errors
from crucial.lithops import FunctionExecutor, wait
from crucial.lithops.future import ResponseFuture


def _future() -> ResponseFuture:
    f = ResponseFuture("00000", "A000", "test", "f")
    f._set_invoked()
    return f


def test_many_threads_waiting_on_one_future_all_get_its_value():
    f = _future()
    n = 8
    started = threading.Barrier(n + 1)
    got = [None] * n

    def waiter(i):
        started.wait()
        got[i] = f.result()

    threads = [threading.Thread(target=waiter, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    started.wait()
    f._complete(True, {"v": 42})
    for t in threads:
        t.join(30)
    assert got == [{"v": 42}] * n
    assert f.result() == {"v": 42}  # and once more after every waiter has passed


def test_a_second_completion_is_ignored_and_does_not_raise():
    f = _future()
    f._complete(True, 1)
    f._complete(True, 2)
    f._complete(False, ValueError("late"))
    assert f.result() == 1


def test_a_timed_out_wait_raises_and_the_later_result_still_arrives():
    f = _future()
    with pytest.raises(errors.TimeoutError):
        f.result(timeout=0)
    with pytest.raises(errors.TimeoutError):
        f.result(timeout=0.01)
    assert f.status(check_only=True) is None
    done = threading.Event()
    f.add_done_callback(lambda _: done.set())
    f._complete(False, KeyError("k"))
    assert done.is_set()
    with pytest.raises(KeyError):
        f.result(timeout=0)
    assert isinstance(f.exception(timeout=0), KeyError)


def _square_plus(x, tag):
    return x * x + tag


def test_many_threads_calling_result_on_tasks_of_one_worker_each_get_their_own():
    seed = int(os.environ.get("CRUCIAL_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    fexec = FunctionExecutor(workers=1)
    n_threads, per_thread = 6, 25 if os.environ.get("CI") else 60
    plans = [[(rng.randrange(1000), rng.random() < 0.3) for _ in range(per_thread)] for _ in range(n_threads)]
    wrong = []
    started = threading.Barrier(n_threads)

    def caller(tag):
        started.wait()
        for x, through_wait in plans[tag]:
            f = fexec.call_async(_square_plus, (x, tag))
            if through_wait:  # some through wait(), which does not call result()
                wait([f], show_progressbar=False)
            got = f.result(timeout=60)
            if got != x * x + tag:
                wrong.append((tag, x, got))

    threads = [threading.Thread(target=caller, args=(t,)) for t in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), f"CRUCIAL_TEST_SEED={seed}"
    assert wrong == [], f"CRUCIAL_TEST_SEED={seed}"
