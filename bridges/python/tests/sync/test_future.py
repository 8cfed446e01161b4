import threading
import time

import numpy as np
import pytest

from crucial import Future, errors


def test_get_parks_until_another_thread_sets_the_value(dso, key):
    f = Future(key)
    threading.Timer(0.2, lambda: Future(key).set({"x": [1, 2]})).start()
    assert f.get() == {"x": [1, 2]}
    assert f.is_done() and f.done()


def test_a_future_completes_once(dso, key):
    f = Future(key)
    f.set(1)
    with pytest.raises(errors.IllegalStateError):
        f.set_result(2)


def test_an_error_set_remotely_is_raised_with_its_name_and_message(dso, key):
    Future(key).set_exception(ZeroDivisionError("division by zero"))
    with pytest.raises(errors.RemoteError, match="division by zero") as info:
        Future(key).result()
    assert info.value.remote_name == "ZeroDivisionError"


def test_get_with_a_timeout_raises_timeout(dso, key):
    t = time.monotonic()
    with pytest.raises(errors.TimeoutError):
        Future(key).get(timeout=0.2)
    assert time.monotonic() - t < 3


def test_a_numpy_array_round_trips_through_the_node_as_arrow(dso, key):
    arr = np.random.default_rng(1).random(100_000)
    Future(key).set(arr)
    back = Future(key).get()
    assert back.dtype == np.float64 and np.array_equal(back, arr)
