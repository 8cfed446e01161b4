"""Arrow one-column streams by shape template (crucial.wire.arrow_templates): encode byte for byte pyarrow's
own stream, first and reused; template decode equal to pyarrow's, a view of the frame; frames that
differ anywhere but in the values decoded (or refused) afresh. Seeded: CRUCIAL_TEST_SEED replays."""
import os
import random
import struct

import numpy as np
import pyarrow as pa
import pytest

from crucial.errors import BadFrameError
from crucial.wire import arrow_templates
from crucial.wire.arrow import NUMERIC_DTYPES, _write_array, decode_arrow, encode_array

SEED = int(os.environ.get("CRUCIAL_TEST_SEED", random.randrange(2**32)))
LENGTHS = [0, 1, 3, 7, 8, 17, 1000, 4099]


@pytest.fixture(autouse=True)
def fresh_templates():
    arrow_templates._encode.clear()
    arrow_templates._decode.clear()
    yield


def values(rng: np.random.Generator, dtype: str, n: int) -> np.ndarray:
    return rng.integers(0, 2**63 - 1, size=n, dtype=np.int64).view(np.uint8)[: n * np.dtype(dtype).itemsize].view(dtype).copy() \
        if n else np.empty(0, dtype=dtype)


def pyarrow_stream(arr: np.ndarray) -> bytes:
    """The oracle: pyarrow's writer, alone."""
    return _write_array(arr).to_pybytes()


@pytest.mark.parametrize("dtype", sorted(NUMERIC_DTYPES))
def test_encode_is_pyarrows_stream_byte_for_byte_first_and_reused(dtype):
    rng = np.random.default_rng(SEED)
    for n in LENGTHS:
        for round_ in range(3):  # the first array of a shape makes its template, the others use it
            arr = values(rng, dtype, n)
            got = encode_array(arr)
            assert bytes(got) == pyarrow_stream(arr), f"seed {SEED}: {dtype} x {n}, round {round_}"
    assert len(arrow_templates._encode) == len([n for n in LENGTHS if n > 0])


def test_encode_reuses_the_template_and_never_the_callers_memory():
    arr = np.arange(1000, dtype=np.float64)
    encode_array(arr)
    t = arrow_templates._encode[(arr.dtype.str, 1000)]
    out = encode_array(arr)
    assert arrow_templates._encode[(arr.dtype.str, 1000)] is t
    assert not np.shares_memory(out, arr)
    arr[0] = 42.0  # the frame is a copy: a later change of the caller's array does not reach it
    assert decode_arrow(bytes(out))[0] == 0.0


def test_non_contiguous_and_byte_swapped_arrays_encode_as_their_values():
    rng = np.random.default_rng(SEED)
    base = rng.random(2000)
    for arr in (base[::2], base.astype(">f8")[:1000]):
        assert bytes(encode_array(arr)) == pyarrow_stream(np.ascontiguousarray(arr.astype("=f8"))), f"seed {SEED}"
        assert np.array_equal(decode_arrow(bytes(encode_array(arr))), arr)


@pytest.mark.parametrize("dtype", sorted(NUMERIC_DTYPES))
def test_template_decode_equals_pyarrows_and_is_a_view_of_the_frame(dtype):
    rng = np.random.default_rng(SEED)
    for n in [1, 17, 4099]:
        first = values(rng, dtype, n)
        decode_arrow(pyarrow_stream(first))  # verified by pyarrow: the template of this size
        assert len(arrow_templates._decode) >= 1
        arr = values(rng, dtype, n)
        frame = pyarrow_stream(arr)
        before = dict(arrow_templates._decode)
        got = decode_arrow(frame)
        assert arrow_templates._decode == before  # no new template: this one came from the template
        expect = pa.ipc.open_stream(frame).read_all().column("v").to_numpy()
        assert got.dtype == expect.dtype and np.array_equal(got, expect, equal_nan=True), f"seed {SEED}"
        assert np.shares_memory(got, np.frombuffer(frame, dtype=np.uint8)) and not got.flags.writeable


def test_a_frame_of_the_same_size_and_another_type_decodes_afresh():
    f64 = np.random.default_rng(SEED).random(100)
    decode_arrow(pyarrow_stream(f64))
    u64 = np.arange(100, dtype=np.uint64)  # float64 and uint64 streams of one length have one size
    frame = pyarrow_stream(u64)
    assert len(frame) == len(pyarrow_stream(f64)) and len(frame) in arrow_templates._decode
    got = decode_arrow(frame)
    assert got.dtype == np.uint64 and np.array_equal(got, u64)


def test_a_corrupted_row_count_is_not_decoded_by_the_template():
    arr = np.arange(64, dtype=np.float64)
    frame = pyarrow_stream(arr)
    decode_arrow(frame)
    bad = bytearray(frame)
    # The record batch's length (int64 little-endian 64) in its flatbuffer, among the bytes before the values.
    at = bytes(bad).rfind(struct.pack("<q", 64), 0, len(bad) - 8 - arr.nbytes)
    assert at > 0
    bad[at:at + 8] = struct.pack("<q", 65)
    try:
        got = decode_arrow(bytes(bad))
    except BadFrameError:
        return
    assert len(got) != 64 or not np.array_equal(got, arr)  # pyarrow's own reading of it, never the template's


def test_a_table_frame_never_becomes_an_array_template():
    table = pa.table({"v": pa.array(np.arange(10, dtype=np.float64))})
    from crucial.wire.arrow import encode_table

    frame = encode_table(table).to_pybytes()
    decode_arrow(frame)
    assert len(frame) not in arrow_templates._decode
    assert isinstance(decode_arrow(frame), pa.Table)


def test_an_array_received_by_template_is_sent_on_as_its_own_frame():
    rng = np.random.default_rng(SEED)
    arr = rng.random(1000)
    decode_arrow(memoryview(pyarrow_stream(rng.random(1000))))  # the template of this size
    frame = memoryview(bytearray(pyarrow_stream(arr)))  # writable, as a received zmq frame's buffer is
    got = decode_arrow(frame)
    assert not got.flags.writeable, "received arrays are read-only views, by template as by pyarrow"
    out = encode_array(got)
    assert np.shares_memory(np.frombuffer(out, dtype=np.uint8), got), "no copy: the frame goes out again"
    assert bytes(out) == pyarrow_stream(arr), f"seed {SEED}"


def test_a_received_frame_goes_out_again_only_while_unchanged_around_the_values():
    rng = np.random.default_rng(SEED)
    arr = rng.random(1000)
    decode_arrow(pyarrow_stream(rng.random(1000)))
    raw = bytearray(pyarrow_stream(arr))
    got = decode_arrow(memoryview(raw))
    raw[4] ^= 1  # the frame changed after it was decoded: its bytes are no longer the verified ones
    out = encode_array(got)
    assert not np.shares_memory(np.frombuffer(out, dtype=np.uint8), got)
    raw[4] ^= 1
    assert bytes(out) == pyarrow_stream(arr)


def test_a_writable_array_in_a_frame_shaped_buffer_is_copied():
    rng = np.random.default_rng(SEED)
    arr = rng.random(1000)
    buf = bytearray(pyarrow_stream(arr))
    encode_array(arr)
    view = np.frombuffer(buf, dtype=np.float64, count=1000, offset=len(buf) - 8 - arr.nbytes)
    assert view.flags.writeable and np.array_equal(view, arr)
    out = encode_array(view)
    assert not np.shares_memory(out, view)  # the caller could change it before a resend
    assert bytes(out) == pyarrow_stream(arr)


def test_a_received_array_in_a_frame_of_other_bytes_is_copied():
    arr = np.arange(1000, dtype=np.float64)
    encode_array(arr)
    frame = bytearray(pyarrow_stream(arr))
    frame[-1] = 1  # not pyarrow's end of stream: never sent as it is
    view = np.frombuffer(memoryview(bytes(frame)), dtype=np.float64, count=1000, offset=len(frame) - 8 - arr.nbytes)
    out = encode_array(view)
    assert not np.shares_memory(out, view) and bytes(out) == pyarrow_stream(arr)


@pytest.mark.parametrize("dtype", sorted(NUMERIC_DTYPES))
def test_empty_array_is_sent_as_its_own_frame_byte_for_byte_pyarrows(dtype):
    from crucial.wire.arrow import empty_array

    rng = np.random.default_rng(SEED)
    for n in [0, 1, 17, 4099]:
        a = empty_array(n, dtype)
        assert a.dtype == np.dtype(dtype) and a.shape == (n,) and a.flags.writeable
        a[:] = values(rng, dtype, n)
        out = encode_array(a)
        assert bytes(out) == pyarrow_stream(np.array(a)), f"seed {SEED}: {dtype} x {n}"
        if n:
            assert np.shares_memory(out, a), "no copy"
            assert np.array_equal(decode_arrow(bytes(out)).view(np.uint8), a.view(np.uint8))  # bit patterns (NaNs)


def test_parts_of_an_empty_array_and_a_broken_frame_are_copied():
    from crucial.wire.arrow import empty_array

    a = empty_array(1000)
    a[:] = np.arange(1000.0)
    for part in (a[:500], a[1:], a[::-1], a[::2]):
        out = encode_array(part)
        assert not np.shares_memory(out, a) and bytes(out) == pyarrow_stream(np.ascontiguousarray(part))
    frame = a.base
    frame[0] ^= 1  # the stream's bytes around the values changed: never sent as they are
    out = encode_array(a)
    assert not np.shares_memory(out, a) and bytes(out) == pyarrow_stream(np.array(a))


def test_empty_array_refuses_what_cannot_travel():
    from crucial.errors import NotSerializableError
    from crucial.wire.arrow import empty_array

    for bad in ("uint8", "complex128", ">f8", "object"):
        with pytest.raises(NotSerializableError):
            empty_array(4, bad)
    with pytest.raises(NotSerializableError):
        empty_array(-1)
