import json

import msgpack
import numpy as np
import pyarrow as pa
import pytest

from crucial.errors import BadArgumentError, BadFrameError, NotSerializableError, ProtocolVersionError
from crucial.wire.codec import WireCodec, decode_value, encode_value, parse_call
from crucial.wire.protocol import MAX_SAFE_INTEGER, Int64, ObjectRef
from tests.conftest import run_tsx

CLIENT = bytes(range(1, 9))


def test_a_call_envelope_is_the_nine_element_array_of_the_protocol():
    frames = WireCodec().encode_call(CLIENT, 7, "AtomicLong", "c", "addAndGet", [5], None)
    assert len(frames) == 1
    assert msgpack.unpackb(frames[0]) == [1, 0, CLIENT, 7, "AtomicLong", "c", "addAndGet", [5], None]
    call = parse_call(decode_value(frames))
    assert (call.client, call.seq, call.type, call.key, call.method, call.args, call.opts) == (CLIENT, 7, "AtomicLong", "c", "addAndGet", [5], {})


def test_ints_inside_the_safe_range_are_plain_and_outside_it_travel_as_int64():
    head = encode_value([1, 1, 0, [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, -(2**63)]])[0]
    v = msgpack.unpackb(head)
    assert v[3][:2] == [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]
    assert v[3][2] == msgpack.ExtType(2, (MAX_SAFE_INTEGER + 1).to_bytes(8, "big", signed=True))
    back = decode_value([head])[3]
    assert back == [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER + 1, -(2**63)]
    assert type(back[2]) is Int64 and type(back[0]) is int


def test_a_decoded_int64_reencodes_byte_for_byte_even_when_small():
    head = encode_value([1, 1, 3, Int64(5)])[0]
    assert msgpack.unpackb(head)[3] == msgpack.ExtType(2, b"\0" * 7 + b"\x05")
    assert encode_value(decode_value([head]))[0] == head


def test_ints_beyond_64_bits_are_refused_as_a_bad_argument():
    for v in (2**63, -(2**63) - 1, 2**70):
        with pytest.raises(BadArgumentError, match="does not fit in 64 bits") as info:
            encode_value([1, 1, 0, v])
        assert info.value.code == "ERR_BAD_ARGUMENT"
    assert decode_value(encode_value([1, 1, 0, 2**63 - 1]))[3] == 2**63 - 1


def test_numpy_scalars_travel_as_the_python_numbers_they_hold():
    values = [np.int64(7), np.int32(-3), np.uint8(255), np.bool_(True), np.float32(1.5), np.uint64(2**63 - 1)]
    back = decode_value(encode_value([1, 1, 0, values]))[3]
    assert back == [7, -3, 255, True, 1.5, 2**63 - 1]
    with pytest.raises(BadArgumentError):
        encode_value([1, 1, 0, np.uint64(2**64 - 1)])


def test_numpy_arrays_travel_as_arrow_attachments_and_come_back_as_numpy_views():
    arr = np.linspace(0, 1, 1000)
    frames = encode_value([1, 1, 0, {"a": arr, "b": np.arange(3, dtype=np.int32)}])
    assert len(frames) == 3
    assert msgpack.unpackb(frames[0])[3]["a"] == msgpack.ExtType(1, b"\0\0\0\1")
    out = decode_value([bytes(f) for f in frames])[3]
    assert out["a"].dtype == np.float64 and np.array_equal(out["a"], arr)
    assert out["b"].dtype == np.int32 and out["b"].tolist() == [0, 1, 2]


def test_uint8_arrays_travel_as_bytes_like_uint8array():
    assert decode_value(encode_value([1, 1, 0, np.arange(4, dtype=np.uint8)]))[3] == b"\0\1\2\3"


def test_arrow_tables_travel_whole():
    t = pa.table({"x": [1, 2], "y": ["a", "b"]})
    out = decode_value([bytes(f) for f in encode_value([1, 1, 0, t])])[3]
    assert isinstance(out, pa.Table) and out.column("y").to_pylist() == ["a", "b"]


def test_references_and_proxies_travel_as_the_ref_extension():
    from crucial import AtomicLong

    head = encode_value([1, 1, 0, [ObjectRef("AtomicLong", "k"), AtomicLong("k2")]])[0]
    refs = msgpack.unpackb(head)[3]
    assert refs[0] == msgpack.ExtType(3, msgpack.packb(["AtomicLong", "k"]))
    assert decode_value([head])[3] == [ObjectRef("AtomicLong", "k"), ObjectRef("AtomicLong", "k2")]


def test_dict_keys_travel_as_strings_and_keys_that_cannot_or_would_collide_are_refused():
    env = [1, 0, 2, {1: "a", "b": 2, 3.0: 3, np.int64(4): 4}]
    assert decode_value(encode_value(env))[3] == {"1": "a", "b": 2, "3": 3, "4": 4}
    for key in [(1, 2), None, True, b"x", frozenset()]:
        with pytest.raises(NotSerializableError, match="keys must be strings or numbers"):
            encode_value([1, 0, 2, {key: 1}])
    with pytest.raises(BadArgumentError, match="both arrive as the string '1'"):
        encode_value([1, 0, 2, {"1": "a", 1: "b"}])


def test_values_that_cannot_travel_raise_not_serializable():
    with pytest.raises(NotSerializableError):
        encode_value([1, 1, 0, object()])
    with pytest.raises(NotSerializableError):
        encode_value([1, 1, 0, np.zeros((2, 2))])


@pytest.mark.parametrize("frames, what", [
    ([], "empty message"),
    ([b"\xc1"], "not valid MessagePack"),
    ([msgpack.packb([1, 1])], "at least 4 elements"),
    ([msgpack.packb([1, 1, 0, msgpack.ExtType(1, b"\0\0\0\2")])], "names frame 2"),
    ([msgpack.packb([1, 1, 0, msgpack.ExtType(2, b"\0")])], "8 bytes"),
    ([msgpack.packb([1, 1, 0, msgpack.ExtType(3, msgpack.packb([1]))])], "[type, key]"),
    ([msgpack.packb([1, 1, 0, msgpack.ExtType(1, b"\0\0\0\1")]), b"not arrow"], "Arrow IPC"),
])
def test_malformed_frames_raise_bad_frame_with_what_is_wrong(frames, what):
    with pytest.raises(BadFrameError, match=None) as info:
        decode_value(frames)
    assert what in str(info.value)


def test_another_protocol_version_is_refused():
    with pytest.raises(ProtocolVersionError):
        decode_value([msgpack.packb([2, 1, 0, None])])


def test_python_encodes_a_call_byte_for_byte_as_the_typescript_codec_does():
    ts = run_tsx(
        "import('./core/protocol/wire/codec.ts').then(async ({WireCodec}) => {"
        " const {ObjectRef} = await import('./core/protocol/wire/protocol.ts');"
        " const c = new WireCodec();"
        " const f = c.encodeCall(new Uint8Array([1,2,3,4,5,6,7,8]), 42, 'AtomicMap', 'm', 'mergeAll',"
        "   [{a: 1, b: 2.5, c: 'x', d: true, e: null, f: 2n ** 60n, g: -3n}, [new ObjectRef('AtomicLong', 'c')], new Uint8Array([9])],"
        "   {init: [1], forceNew: true});"
        " console.log(Buffer.from(f[0]).toString('hex')); })"
    ).strip()
    frames = WireCodec().encode_call(CLIENT, 42, "AtomicMap", "m", "mergeAll",
                                     [{"a": 1, "b": 2.5, "c": "x", "d": True, "e": None, "f": 2**60, "g": Int64(-3)},
                                      [ObjectRef("AtomicLong", "c")], b"\x09"], {"init": [1], "forceNew": True})
    assert frames[0].hex() == ts
    assert encode_value(decode_value([bytes.fromhex(ts)]))[0].hex() == ts
