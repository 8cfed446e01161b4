import pytest

from crucial import AtomicByteArray, errors


def test_atomic_byte_array_updates_single_bytes_and_wraps(dso, key):
    a = AtomicByteArray(key, 4)
    assert len(a) == 4 and a.get_all() == b"\0\0\0\0"
    a[1] = 255
    assert a.add_and_get(1, 1) == 0 and a.get_and_add(2, -1) == 0 and a[2] == 255
    assert a.compare_and_set(0, 0, 7) and a.get_and_set(0, 8) == 7
    a.set_all(b"abcd")
    assert a.get_all() == b"abcd"


def test_atomic_byte_array_refuses_an_index_out_of_range(dso, key):
    with pytest.raises(errors.BadArgumentError):
        AtomicByteArray(key, b"ab").get(5)


def test_atomic_byte_array_increments_and_decrements_wrap(dso, key):
    a = AtomicByteArray(key, bytes([254, 0, 5]))
    assert a.increment_and_get(0) == 255 and a.get_and_increment(0) == 255 and a[0] == 0
    assert a.decrement_and_get(1) == 255 and a.get_and_decrement(2) == 5 and a[2] == 4
    with pytest.raises(errors.BadArgumentError):
        a.increment_and_get(3)
