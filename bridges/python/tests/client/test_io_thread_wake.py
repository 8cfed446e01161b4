"""
The connection's I/O thread empties its wake pipe each time it is woken (issue 13, py-8mb). Before,
it looked the pipe up in pyzmq's poll result by the socket object while pyzmq names a ready non-zmq
socket by its fd: the pipe was never drained, so from its first wake-up on the thread's poll returned
at once, forever, and it spun at a full CPU (and took the GIL) beside every later call. Now that it sleeps between wakes, replies
it reads must still reach their futures intact (arrays of every dtype and several sizes).

Seeds: ``CRUCIAL_TEST_SEED`` replays a run (printed on failure).
"""
import os
import random
import select
import threading

import numpy as np
from crucial.client.connection import Connection
from crucial.wire.protocol import SYSTEM_TYPE


def _spy_on_wake_drains(c: Connection) -> threading.Event:
    """An event set each time the I/O thread has emptied the wake pipe (the call is wrapped, not replaced)."""
    drained = threading.Event()
    real = c._drain_pipe

    def spy(s):
        real(s)
        if s is c._wake_r:
            drained.set()

    c._drain_pipe = spy  # an instance attribute: what `self._drain_pipe(...)` finds first
    return drained


def test_a_future_nobody_reads_wakes_the_io_thread_which_empties_its_wake_pipe(dso):
    c = Connection(dso.address, heartbeat_ivl=0)
    try:
        drained = _spy_on_wake_drains(c)
        fut = c.call_async(SYSTEM_TYPE, "", "ping")  # no result(): submit wakes the I/O thread to read it
        settled = threading.Event()
        fut.add_done_callback(lambda f: settled.set())
        assert settled.wait(30), "the I/O thread never read the reply"
        assert fut.result() == "pong"
        assert drained.wait(10), "the I/O thread was woken but never drained its wake pipe"
        assert select.select([c._wake_r], [], [], 0)[0] == [], "bytes left in the wake pipe: the I/O thread's poll returns at once"
    finally:
        c.close()


def test_every_wake_is_drained_while_blocking_calls_go_on(dso):
    c = Connection(dso.address, heartbeat_ivl=0)
    try:
        assert c.ping() == "pong"
        drained = _spy_on_wake_drains(c)
        for i in range(5):
            drained.clear()
            c._wake()
            assert drained.wait(10), f"wake {i} was not drained"
            assert select.select([c._wake_r], [], [], 0)[0] == [], f"wake {i}: bytes left in the wake pipe"
            assert c.ping() == "pong"  # the caller reads its own reply; the I/O thread sleeps meanwhile
    finally:
        c.close()


def test_arrays_read_by_the_io_thread_after_its_wakes_arrive_intact(dso, key):
    # Futures nobody reads with result() are read by the I/O thread, which now sleeps between wakes:
    # every reply must still reach its future, byte for byte, whatever the size and dtype.
    seed = int(os.environ.get("CRUCIAL_TEST_SEED", random.randrange(1 << 30)))
    rng = np.random.default_rng(seed)
    c = Connection(dso.address, heartbeat_ivl=0)
    try:
        for dtype in ("float64", "float32", "int64", "int32", "uint16", "int8"):
            for n in (1, 1000, 1 << 17, (1 << 17) + 3):
                arr = (rng.random(n) * 100).astype(dtype)
                k = f"{key}.{dtype}.{n}"
                c.call("AtomicReference", k, "set", [arr], timeout=30)
                settled = threading.Event()
                fut = c.call_async("AtomicReference", k, "get")
                fut.add_done_callback(lambda f, ev=settled: ev.set())
                assert settled.wait(30), f"no reply for {dtype} x {n} (CRUCIAL_TEST_SEED={seed})"
                got = fut.result()
                assert got.dtype == arr.dtype and np.array_equal(got, arr), f"{dtype} x {n} (CRUCIAL_TEST_SEED={seed})"
    finally:
        c.close()
