"""A reply whose string is not UTF-8 fails the call it names, at once: before, the seq could not be
read either, so the call was resent for ever and answered the same way each time."""
import threading

import msgpack
import pytest
import zmq

from crucial.client.connection import Connection
from crucial.errors import BadFrameError
from crucial.wire.codec import decode_value, parse_call

LONE_SURROGATE_UTF8 = b"\xed\xa0\x80"  # what @msgpack/msgpack writes for '\ud800'


class EchoingBadStrings:
    """A ROUTER that answers every call with an OK whose payload is a str of invalid UTF-8."""

    def __init__(self):
        self.ctx = zmq.Context()
        self.sock = self.ctx.socket(zmq.ROUTER)
        self.address = f"tcp://127.0.0.1:{self.sock.bind_to_random_port('tcp://127.0.0.1')}"
        self.calls = 0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            if not self.sock.poll(50):
                continue
            route, *frames = self.sock.recv_multipart()
            call = parse_call(decode_value(frames))
            self.calls += 1
            # fixarray(4) version kind seq, then a fixstr of the three bytes
            reply = b"\x94" + msgpack.packb(1) + msgpack.packb(1) + msgpack.packb(call.seq) + b"\xa3" + LONE_SURROGATE_UTF8
            self.sock.send_multipart([route, reply])

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close(0)
        self.ctx.term()


def test_a_reply_with_a_string_that_is_not_utf8_fails_its_call_with_bad_frame_and_is_not_resent():
    node = EchoingBadStrings()
    c = Connection(node.address, resend_after=0.2, unavailable_after=2)
    try:
        with pytest.raises(BadFrameError):
            c.call("AtomicReference", "k", "get", [], timeout=20)
        assert node.calls == 1
    finally:
        c.close()
        node.close()
