"""Replies decode once into a typed ``Reply`` (kind, seq, payload), refusing what is no OK or ERROR reply."""
import pytest

from crucial.errors import BadFrameError, ProtocolVersionError
from crucial.wire.codec import Reply, WireCodec, encode_value
from crucial.wire.protocol import Kind


def test_reply_an_ok_reply_decodes_to_its_seq_and_value():
    codec = WireCodec()
    reply = codec.decode_reply(codec.encode_ok(7, [1, "a"]))
    assert reply == Reply(Kind.OK, 7, [1, "a"])
    assert (reply.kind, reply.seq, reply.payload) == (1, 7, [1, "a"])


def test_reply_an_error_reply_carries_the_error_map():
    codec = WireCodec()
    err = {"code": "ERR_TIMEOUT", "name": "TimeoutError", "message": "m", "stack": ""}
    assert codec.decode_reply(codec.encode_error(3, err)) == Reply(Kind.ERROR, 3, err)


def test_reply_a_call_or_an_unknown_kind_is_a_bad_frame():
    codec = WireCodec()
    with pytest.raises(BadFrameError, match="unexpected reply kind 0"):
        codec.decode_reply(codec.encode_call(b"\0" * 8, 1, "AtomicLong", "k", "get", []))
    with pytest.raises(BadFrameError, match="unexpected reply kind 9"):
        codec.decode_reply(encode_value([1, 9, 1, None]))


def test_reply_a_seq_that_is_no_integer_is_a_bad_frame_and_a_wrong_version_is_refused():
    codec = WireCodec()
    with pytest.raises(BadFrameError, match="seq"):
        codec.decode_reply(encode_value([1, Kind.OK, "1", None]))
    with pytest.raises(ProtocolVersionError):
        codec.decode_reply(encode_value([2, Kind.OK, 1, None]))
