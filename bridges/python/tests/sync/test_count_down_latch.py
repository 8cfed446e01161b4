import threading

from crucial import CountDownLatch


def test_await_returns_when_the_count_reaches_zero(dso, key):
    latch = CountDownLatch(key, 2)
    assert latch.get_count() == 2
    for d in (0.1, 0.2):
        threading.Timer(d, lambda: CountDownLatch(key).count_down()).start()
    assert latch.await_() is True and latch.get_count() == 0


def test_a_timed_await_answers_false_as_java_does(dso, key):
    assert CountDownLatch(key, 1).await_(timeout=0.1) is False
