"""A large array sent as three frames (PROTOCOL.md §4.1): [bytes before the values, the array's own
bytes, bytes after], named by an 8-byte ARROW extension (first frame, count). Encoding, decoding, the
errors of a bad span, and a live node reading it, storing it and answering TypeScript clients with it."""
import json
import struct

import msgpack
import numpy as np
import pytest

from crucial import AtomicReference
from crucial.errors import BadFrameError
from crucial.wire import arrow_templates
from crucial.wire.arrow import _write_array, encode_array
from crucial.wire.arrow_templates import SPLIT_MIN_BYTES
from crucial.wire.codec import decode_value, encode_value
from crucial.wire.protocol import Ext

from ..conftest import run_tsx

LARGE = SPLIT_MIN_BYTES // 8 + 5  # float64 values: just over the split threshold


def arrow_payloads(head: bytes):
    """The ARROW extension payloads of an envelope, in order."""
    seen = []
    msgpack.unpackb(head, ext_hook=lambda code, data: seen.append(data) if code == Ext.ARROW else None, strict_map_key=False)
    return seen


def test_a_large_array_goes_as_head_its_own_bytes_and_tail_whose_concatenation_is_pyarrows_stream():
    arr = np.arange(LARGE, dtype=np.float64) * 0.25
    for _ in range(2):  # the first of a shape makes the template, the next reuses it
        frames = encode_value([1, 1, 0, arr])
        assert len(frames) == 4
        assert arrow_payloads(frames[0]) == [struct.pack(">II", 1, 3)]
        head, values, tail = frames[1:]
        # The values frame is the array's memory, not a copy of it.
        assert np.shares_memory(np.frombuffer(values, dtype=np.uint8), arr)
        assert b"".join(bytes(f) for f in (head, values, tail)) == _write_array(arr).to_pybytes()


def test_a_small_array_and_an_array_in_its_own_frame_stay_one_frame():
    small = np.arange(SPLIT_MIN_BYTES // 8 - 1, dtype=np.float64)
    frames = encode_value([1, 1, 0, small])
    assert len(frames) == 2 and arrow_payloads(frames[0]) == [struct.pack(">I", 1)]
    import crucial

    in_frame = crucial.empty_array(LARGE)
    in_frame[:] = 3.0
    frames = encode_value([1, 1, 0, in_frame])
    assert len(frames) == 2 and arrow_payloads(frames[0]) == [struct.pack(">I", 1)]


def test_split_and_single_attachments_mix_and_decode_to_the_values_sent():
    big, small, other = np.arange(LARGE, dtype=np.int64), np.array([1.5, 2.5], dtype=np.float32), np.arange(2 * LARGE, dtype=np.uint32)
    frames = encode_value([1, 1, 0, [big, small, {"x": other}]])
    assert arrow_payloads(frames[0]) == [struct.pack(">II", 1, 3), struct.pack(">I", 4), struct.pack(">II", 5, 3)]
    got = decode_value([bytes(f) for f in frames])[3]
    np.testing.assert_array_equal(got[0], big)
    np.testing.assert_array_equal(got[1], small)
    np.testing.assert_array_equal(got[2]["x"], other)
    assert got[0].dtype == np.int64 and got[2]["x"].dtype == np.uint32


@pytest.mark.parametrize("payload, frames, what", [
    (struct.pack(">II", 1, 4), 3, "names frames 1..4, message has 3"),
    (struct.pack(">II", 0, 3), 3, "message has 3"),
    (struct.pack(">II", 1, 0), 3, "message has 3"),
    (struct.pack(">II", 2**32 - 1, 2**32 - 1), 3, "message has 3"),
    (b"\0\0\0\1\0", 3, "4-byte frame index, or an index and a frame count"),
])
def test_a_bad_span_is_a_bad_frame(payload, frames, what):
    arr = np.arange(LARGE, dtype=np.float64)
    parts = [bytes(f) for f in encode_value([1, 1, 0, arr])[1:]][:frames]
    with pytest.raises(BadFrameError) as info:
        decode_value([msgpack.packb([1, 1, 0, msgpack.ExtType(Ext.ARROW, payload)]), *parts])
    assert what in str(info.value)


def test_a_node_stores_a_split_array_as_sent_and_typescript_reads_it(dso, conn, key):
    arrow_templates._encode.clear()
    rng = np.random.default_rng(7)
    arr = rng.random(200_000)
    ref = AtomicReference(key, connection=conn)
    for _ in range(3):  # the node's first of a shape is joined, the next read in place
        arr = rng.random(200_000)
        ref.set(arr)
        sent = arr.copy()
        arr[:] = -1.0  # after the call settled: the node holds its own bytes
        np.testing.assert_array_equal(ref.get(), sent)
    out = run_tsx(
        "import { AtomicReference, connect } from './core/index.ts';"
        f"const r = new AtomicReference({json.dumps(key)}, undefined, {{ connection: connect(process.env.CRUCIAL_DSO) }});"
        "void r.get().then((a) => { let s = 0; for (const x of a) s += x;"
        "console.log(JSON.stringify({ type: a.constructor.name, n: a.length, sum: s })); process.exit(0); });",
        env={"CRUCIAL_DSO": dso.address},
    )
    got = json.loads(out.strip().splitlines()[-1])
    assert got["type"] == "Float64Array" and got["n"] == sent.size
    assert got["sum"] == pytest.approx(float(sent.sum()), rel=1e-12)


def test_a_node_answers_a_bad_span_with_bad_frame_and_keeps_serving(conn, key):
    arr = np.arange(LARGE, dtype=np.float64)
    parts = encode_value([1, 1, 0, arr])[1:]
    # seq 998 names the call so the node's error reply can be routed back; nothing is pending under it.
    head = msgpack.packb([1, 0, b"12345678", 998, "AtomicReference", key, "set", [msgpack.ExtType(Ext.ARROW, struct.pack(">II", 1, 9))], None])
    conn.send_raw([head, *parts])
    ref = AtomicReference(key, connection=conn)
    ref.set(arr)
    np.testing.assert_array_equal(ref.get(), arr)
