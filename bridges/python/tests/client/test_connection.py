import threading
import time

import msgpack
import pytest
import zmq
from crucial.client.connection import Connection
from crucial.errors import ClosedError, InvalidOptionError, UnavailableError, UnknownTypeError

from .fake_node import FakeNode


def test_a_connection_pings_the_node(conn):
    assert conn.ping() == "pong"


def test_calls_from_many_threads_share_one_connection_and_each_gets_its_own_reply(conn, key):
    results = []

    def worker():
        for _ in range(200):
            results.append(int(conn.call("AtomicLong", key, "incrementAndGet", [])))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(1, 1601))


def test_an_unknown_type_fails_with_the_typed_error_and_the_remote_message(conn):
    with pytest.raises(UnknownTypeError, match='unknown object type "Nope"'):
        conn.call("Nope", "k", "get", [])


def test_a_malformed_request_gets_a_bad_frame_reply_and_does_not_disturb_other_calls(conn, key):
    # seq 999 names the call so the node's error reply can be routed back; nothing is pending under it.
    conn.send_raw([msgpack.packb([1, 0, b"12345678", 999, "AtomicLong", key, "get", "not-an-array", None])])
    assert conn.call("AtomicLong", key, "addAndGet", [2]) == 2


def test_bad_options_are_refused_in_the_constructor():
    with pytest.raises(InvalidOptionError, match="resend_after must be a positive number"):
        Connection("tcp://127.0.0.1:1", resend_after=0)
    with pytest.raises(InvalidOptionError):
        Connection("")


def test_calls_after_close_raise_closed(dso):
    c = Connection(dso.address)
    c.close()
    with pytest.raises(ClosedError):
        c.ping()


class FlakyNode(FakeNode):
    """A node that drops the first copy of every ``get`` and answers the resend: proves (client, seq) resends."""

    def __init__(self):
        self.seen = []
        super().__init__(self.answer)

    def answer(self, call, frames):
        self.seen.append((call.client, call.seq, call.method))
        if call.method == "get" and sum(1 for s in self.seen if s[1] == call.seq) == 1:
            return None  # drop the first copy
        return ("ok",)


def test_an_unanswered_call_is_resent_with_the_same_client_and_seq():
    node = FlakyNode()
    c = Connection(node.address, resend_after=0.2)
    try:
        assert c.call("X", "k", "get", []) == "ok"
        gets = [s for s in node.seen if s[2] == "get"]
        assert len(gets) >= 2 and len({(g[0], g[1]) for g in gets}) == 1
    finally:
        c.close()
        node.close()


def test_a_silent_node_makes_pending_calls_fail_as_unavailable():
    ctx = zmq.Context()
    sink = ctx.socket(zmq.ROUTER)
    port = sink.bind_to_random_port("tcp://127.0.0.1")
    c = Connection(f"tcp://127.0.0.1:{port}", resend_after=0.1, unavailable_after=0.5)
    try:
        t = time.monotonic()
        with pytest.raises(UnavailableError, match="did not answer"):
            c.call("X", "k", "get", [])
        assert time.monotonic() - t < 3
    finally:
        c.close()
        sink.close(0)
        ctx.term()


def test_a_connection_opened_directly_refuses_a_bad_address_with_invalid_option_error():
    from crucial.client.connection import Connection
    from crucial.errors import InvalidOptionError
    for bad in ("not-an-address", "tcp://host", "tcp://127.0.0.1:99999", ""):
        with pytest.raises(InvalidOptionError, match="tcp://host:port"):
            Connection(bad)
