import threading
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp

import pytest

from crucial import AtomicLong, errors


def test_add_and_get_returns_the_updated_value(dso, key):
    c = AtomicLong(key, 10)
    assert c.add_and_get(5) == 15
    assert c.get_and_add(1) == 15
    assert c.get() == 16


def test_every_java_method_is_there_with_a_pythonic_name(dso, key):
    c = AtomicLong(key)
    assert c.increment_and_get() == 1 and c.get_and_increment() == 1 and c.get() == 2
    assert c.decrement_and_get() == 1 and c.get_and_decrement() == 1 and c.get() == 0
    assert c.get_and_set(7) == 0
    assert c.compare_and_set(7, 9) is True and c.compare_and_set(7, 1) is False
    c.set(3)
    assert c.multiply(2, 3) == 24


def test_values_beyond_2_to_the_53_keep_every_bit_and_overflow_wraps_as_a_java_long(dso, key):
    c = AtomicLong(key, 2**62)
    assert c.add_and_get(1) == 2**62 + 1
    assert c.add_and_get(2**62) == -(2**63) + 1


def test_the_initial_value_is_used_only_by_whoever_creates_the_object(dso, key):
    AtomicLong(key, 5).get()
    assert AtomicLong(key, 100).get() == 5


def test_force_new_replaces_an_existing_object(dso, key):
    AtomicLong(key, 5).get()
    assert AtomicLong(key, 1, force_new=True).get() == 1


def test_add_and_get_is_exact_under_8_threads(dso, key):
    c = AtomicLong(key)
    threads = [threading.Thread(target=lambda: [c.add_and_get(1) for _ in range(250)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get() == 2000


def _bump(key, n):
    c = AtomicLong(key)
    for _ in range(n):
        c.increment_and_get()
    return True


def test_add_and_get_is_exact_across_processes(dso, key):
    with ProcessPoolExecutor(4, mp_context=mp.get_context("spawn")) as pool:
        assert all(pool.map(_bump, [key] * 4, [100] * 4))
    assert AtomicLong(key).get() == 400


def test_bad_input_raises_the_typed_error_with_the_remote_message(dso, key):
    with pytest.raises(errors.BadArgumentError, match=r"addAndGet\(delta\) must be a 64-bit integer"):
        AtomicLong(key).add_and_get(1.5)


def test_a_released_proxy_refuses_calls(dso, key):
    c = AtomicLong(key)
    c.release()
    with pytest.raises(errors.ReleasedError):
        c.get()
