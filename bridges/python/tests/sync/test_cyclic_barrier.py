import threading
import time

import pytest

from crucial import CyclicBarrier, errors


def test_parties_meet_and_get_java_arrival_indexes(dso, key):
    out = []
    b = CyclicBarrier(key, 4)
    b.get_parties()
    threads = [threading.Thread(target=lambda: out.append(CyclicBarrier(key).await_())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(out) == [0, 1, 2, 3]


def test_the_barrier_is_cyclic(dso, key):
    b = CyclicBarrier(key, 2)
    for _ in range(3):
        t = threading.Thread(target=b.await_)
        t.start()
        b.wait()
        t.join()
    assert b.n_waiting == 0 and b.parties == 2 and not b.broken


def test_a_timeout_breaks_the_barrier_for_everyone(dso, key):
    b = CyclicBarrier(key, 3)
    assert b.get_parties() == 3
    errs = []

    def other():
        try:
            CyclicBarrier(key).await_()
        except errors.CrucialError as e:
            errs.append(e)

    t = threading.Thread(target=other)
    t.start()
    # The other party must be waiting when the timeout breaks the barrier: wait for its arrival.
    deadline = time.monotonic() + 10
    while b.get_number_waiting() < 1:
        assert time.monotonic() < deadline, "the other party never reached the barrier"
    with pytest.raises(errors.TimeoutError):
        b.await_(timeout=0.2)
    t.join(5)
    assert isinstance(errs[0], errors.BrokenBarrierError) and isinstance(errs[0], threading.BrokenBarrierError)
    assert b.is_broken()
    b.reset()
    assert not b.broken


def test_a_barrier_needs_parties_to_be_created(dso, key):
    with pytest.raises(errors.NoObjectError):
        CyclicBarrier(key).await_()
    with pytest.raises(errors.BadArgumentError):
        CyclicBarrier(key + "x", 0).await_()
