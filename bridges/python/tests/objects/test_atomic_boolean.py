from crucial import AtomicBoolean


def test_atomic_boolean_compare_and_set_flips_once(dso, key):
    b = AtomicBoolean(key)
    assert b.get() is False
    assert b.compare_and_set(False, True) is True
    assert b.compare_and_set(False, True) is False
    assert b.get_and_set(False) is True
    b.set(True)
    assert b.get() is True
