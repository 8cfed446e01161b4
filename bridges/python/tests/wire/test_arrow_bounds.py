"""pyarrow verifies an attachment's flatbuffers before reading it: the 120-byte stream that makes
apache-arrow 21.2 loop (core/protocol/wire/arrow-verify.ts) is a BadFrameError here, at once."""
import struct

import pytest

from crucial.errors import BadFrameError
from crucial.wire.arrow import decode_arrow

# The schema-only stream of test/core/protocol/wire/arrow-bounds.test.ts: custom_metadata length at 60, fields length at 104.
SCHEMA_ONLY = bytes.fromhex(
    "ffffffff680000001000000000000a000e000c00070008000a000000000000011000000004000a000c000000080004000a0000000800000030"
    "000000010000000c00000008000c000800040008000000080000000c0000000100000076000000010000006b0000000000000000000000ffffffff00000000"
)


def crafted(at: int, length: int) -> bytes:
    b = bytearray(SCHEMA_ONLY)
    b[at:at + 4] = struct.pack("<i", length)
    return bytes(b)


def test_the_untouched_stream_decodes():
    assert decode_arrow(crafted(60, 1)).schema.metadata == {b"k": b"v"}


@pytest.mark.parametrize("at,length", [(60, 1000), (60, 0x7FFFFFFF), (104, 2000), (104, 0x7FFFFFFF), (104, -1)])
def test_a_vector_longer_than_the_frame_is_a_bad_frame(at, length):
    with pytest.raises(BadFrameError, match="not a valid Arrow IPC stream"):
        decode_arrow(crafted(at, length))
