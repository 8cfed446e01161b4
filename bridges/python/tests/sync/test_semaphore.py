import threading
import time

import pytest

from crucial import Semaphore, errors


def test_acquire_parks_until_another_party_releases(dso, key):
    s = Semaphore(key, 1)
    s.acquire()
    threading.Timer(0.2, lambda: Semaphore(key).release()).start()
    t = time.monotonic()
    s.acquire()
    assert time.monotonic() - t >= 0.15
    assert s.try_acquire() is False and s.available_permits() == 0


def test_semaphore_is_a_context_manager_and_times_out(dso, key):
    s = Semaphore(key, 1)
    with s:
        assert s.try_acquire(timeout=0.1) is False
        with pytest.raises(errors.TimeoutError):
            s.acquire(timeout=0.1)
    assert s.available_permits() == 1 and s.drain_permits() == 1 and s.get_queue_length() == 0
