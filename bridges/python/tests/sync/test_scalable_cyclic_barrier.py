import threading

from crucial import ScalableCyclicBarrier


def test_parties_meet_at_the_poll_based_barrier_round_after_round(dso, key):
    ScalableCyclicBarrier(key, 3).get_parties()
    out = []

    def party(i):
        b = ScalableCyclicBarrier(key, party=i)
        for _ in range(3):
            out.append(b.await_())

    threads = [threading.Thread(target=party, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(out) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert ScalableCyclicBarrier(key).generation() == 3
