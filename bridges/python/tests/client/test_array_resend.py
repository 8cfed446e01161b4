"""A resent call carries the bytes of its first send (exactly once, PROTOCOL.md): for a small array copied into its
stream (a later change of the caller's array is not resent), for one sent as its own frame
(crucial.wire.arrow.empty_array, no copy) and for a large one sent from its own memory over three frames, each copy the
node sees is pyarrow's stream of the values the call was made with; also while another set of the same size is encoded
before the resend (guards any reuse of buffers)."""
import threading

import numpy as np
import pyarrow as pa
from crucial.client.connection import Connection
from crucial.wire.arrow import empty_array

from .fake_node import FakeNode


class DropFirstSet(FakeNode):
    """A node that drops the first copy of every ``set`` and keeps every copy's raw attachment."""

    def __init__(self):
        self.copies = {}
        self.first_dropped = threading.Event()
        super().__init__(self.answer)

    def answer(self, call, frames):
        seen = self.copies.setdefault(call.seq, [])
        seen.append(frames[1:])
        if call.method == "set" and len(seen) == 1:
            self.first_dropped.set()
            return None
        return (None,)


def stream(values: np.ndarray) -> bytes:
    col = pa.array(np.array(values))
    schema = pa.schema([pa.field("v", col.type)], metadata={b"crucial.kind": b"array"})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as w:
        w.write_batch(pa.record_batch([col], schema=schema))
    return sink.getvalue().to_pybytes()


def test_a_resent_set_carries_the_values_of_its_first_send():
    node = DropFirstSet()
    c = Connection(node.address, resend_after=0.2)
    try:
        copied = np.arange(5000, dtype=np.float64)
        expect_copied = stream(copied)
        fut = c.call_async("AtomicReference", "a", "set", [copied])
        assert node.first_dropped.wait(10)
        copied[:] = -1  # after the send: the stream is a copy, so the resend is unchanged
        fut.result(10)
        framed = empty_array(5000)
        framed[:] = np.arange(5000, dtype=np.float64) * 2
        expect_framed = stream(framed)
        c.call("AtomicReference", "b", "set", [framed], timeout=10)
        sets = [v for v in node.copies.values() if len(v) >= 2]
        assert len(sets) == 2
        for copies, expect in zip(sets, (expect_copied, expect_framed)):
            assert all(len(frames) == 1 and frames[0] == expect for frames in copies)
    finally:
        c.close()
        node.close()


def test_a_pending_large_set_keeps_its_buffer_while_another_set_of_its_size_is_encoded():
    node = DropFirstSet()
    c = Connection(node.address, resend_after=0.2)
    try:
        n = 200_000  # 1.6 MB: sent as [head, its own values, tail] (PROTOCOL.md §4.1), unchanged until it settles
        first = np.arange(n, dtype=np.float64)
        expect_first = stream(first)
        fut = c.call_async("AtomicReference", "a", "set", [first])
        assert node.first_dropped.wait(10)
        second = np.full(n, 7.0)
        c.call("AtomicReference", "b", "set", [second], timeout=10)  # encoded while the first is pending
        fut.result(10)
        copies = [v for v in node.copies.values() if len(v) >= 2]
        assert len(copies) == 2
        assert all(len(frames) == 3 and b"".join(frames) == expect_first for frames in copies[0]), "the first set's resends carry its own values"
        assert all(len(frames) == 3 and b"".join(frames) == stream(second) for frames in copies[1])
    finally:
        c.close()
        node.close()
