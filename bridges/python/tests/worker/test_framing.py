"""
The worker pipe's framing (``crucial.worker.framing``) is ``multiprocessing.connection``'s: messages of
every size written by either side are read back exactly by the other, in order, including several sent
before one is read (bytes read past a message are kept) and large ones read across many reads.
"""
import os
import random
import socket
import threading
from multiprocessing.connection import Connection

import pytest

from crucial.worker.framing import Reader, send_message

SEED = int(os.environ.get("CRUCIAL_TEST_SEED", random.randrange(1 << 30)))


@pytest.fixture()
def pipe():
    a, b = socket.socketpair()
    ca, cb = Connection(a.detach()), Connection(b.detach())
    yield ca, cb
    ca.close()
    cb.close()


def messages(rng):
    sizes = [0, 1, 3, 4, 5, 100, 65531, 65532, 65536, 65540, 1 << 20, 3_000_001] + [rng.randrange(0, 200_000) for _ in range(30)]
    return [rng.randbytes(s) for s in sizes]


def test_messages_of_every_size_cross_both_ways_and_mix_with_connection(pipe):
    rng = random.Random(SEED)
    ca, cb = pipe
    msgs = messages(rng)
    how = [rng.random() < 0.5 for _ in msgs]

    def write():
        for m, ours in zip(msgs, how):
            send_message(ca, m) if ours else ca.send_bytes(m)

    t = threading.Thread(target=write)
    t.start()
    reader = Reader(cb)
    for i, m in enumerate(msgs):
        if i % 3 == 0:
            reader.fill()
        assert bytes(reader.recv()) == m, f"message {i} ({len(m)} bytes), seed {SEED}"
    t.join(60)

    t = threading.Thread(target=lambda: [send_message(cb, m) for m in msgs])
    t.start()
    for i, m in enumerate(msgs):
        assert ca.recv_bytes() == m, f"message {i} read by Connection, seed {SEED}"
    t.join(60)


def test_messages_sent_before_any_is_read_all_arrive_in_order(pipe):
    ca, cb = pipe
    msgs = [b"one", b"", b"three" * 100, b"four"]
    for m in msgs:
        send_message(ca, m)
    reader = Reader(cb)
    assert [bytes(reader.recv()) for _ in msgs] == msgs


def test_a_closed_peer_reads_as_eof_and_a_closed_end_as_oserror(pipe):
    ca, cb = pipe
    reader = Reader(cb)
    send_message(ca, b"last")
    ca.close()
    assert bytes(reader.recv()) == b"last"
    with pytest.raises(EOFError):
        reader.recv()
    with pytest.raises(EOFError):
        reader.fill()
    cb.close()
    with pytest.raises(OSError):
        reader.recv()
