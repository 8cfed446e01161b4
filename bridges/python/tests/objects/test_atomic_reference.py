import numpy as np

from crucial import AtomicLong, AtomicReference


def test_atomic_reference_holds_any_wire_value(dso, key):
    r = AtomicReference(key, {"a": [1, 2.5, "x", None, True, b"\x01"]})
    assert r.get() == {"a": [1, 2.5, "x", None, True, b"\x01"]}
    assert r.compare_and_set({"a": [1, 2.5, "x", None, True, b"\x01"]}, "next") is True
    previous = r.get_and_set(np.arange(3.0))
    assert isinstance(previous, str) and previous == "next"
    assert r.get().tolist() == [0.0, 1.0, 2.0]


def test_a_reference_to_another_object_comes_back_as_a_live_proxy(dso, key):
    AtomicLong(key + "-n", 41).get()
    AtomicReference(key).set(AtomicLong(key + "-n"))
    proxy = AtomicReference(key).get()
    assert isinstance(proxy, AtomicLong)
    assert proxy.increment_and_get() == 42
