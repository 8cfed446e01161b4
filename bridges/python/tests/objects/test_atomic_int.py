import pytest

from crucial import AtomicInt, errors


def test_atomic_int_adds_and_wraps_at_32_bits(dso, key):
    a = AtomicInt(key, 2**31 - 1)
    assert a.increment_and_get() == -(2**31)
    assert a.get_and_set(5) == -(2**31) and a.add_and_get(3) == 8 and a.get_and_add(1) == 8
    assert a.compare_and_set(9, 1) and a.get() == 1
    assert a.decrement_and_get() == 0 and a.get_and_increment() == 0 and a.get_and_decrement() == 1


def test_atomic_int_refuses_a_non_integer(dso, key):
    with pytest.raises(errors.BadArgumentError):
        AtomicInt(key).add_and_get("1")
