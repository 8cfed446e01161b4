from crucial import AtomicCounter


def test_atomic_counter_counts_and_resets(dso, key):
    c = AtomicCounter(key, 10)
    assert c.increment() == 11 and c.increment(4) == 15 and c.decrement(5) == 10
    assert c.tally() == 10 and c.reset() == 10 and c.tally() == 0
