"""
Envelope codec, mirroring ``core/protocol/wire/codec.ts``: a MessagePack envelope in frame 0, numeric arrays
and tables as Arrow IPC in frames 1..n. Scalars never touch Arrow; arrays never go element by element
through MessagePack. Decoding evaluates nothing: only MessagePack, the three extensions and Arrow.

numpy and pyarrow (~300 ms to import together) load on first use (issue 10, start-up): a value can be
a numpy array or an Arrow table only once its module is imported, so encoding asks ``sys.modules``,
and an Arrow attachment that arrives imports :mod:`crucial.wire.arrow` then.
"""
from __future__ import annotations

import struct
import sys
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence

import msgpack

from ..errors import BadArgumentError, BadFrameError, NotSerializableError, ProtocolVersionError
from .protocol import MAX_SAFE_INTEGER, PROTOCOL_VERSION, Ext, Int64, Kind, ObjectRef

__all__ = ["WireCodec", "Call", "Reply", "parse_call", "parse_reply", "peek_seq", "encode_value", "decode_value"]

_U32 = struct.Struct(">I")
_SPAN = struct.Struct(">II")  # an ARROW extension naming a stream sent as several frames: first frame, count
_I64 = struct.Struct(">q")
_MIN64, _MAX64 = -(2**63), 2**63 - 1


def _int64(v: int) -> msgpack.ExtType:
    if v < _MIN64 or v > _MAX64:
        # The caller's value, refused before it leaves the process: their bad argument, as in TypeScript.
        raise BadArgumentError(f"int {v} does not fit in 64 bits (a signed 64-bit integer: -2**63 .. 2**63-1)")
    return msgpack.ExtType(Ext.INT64, _I64.pack(v))


def _prepare(value: Any, frames: List[Any]) -> Any:
    """Turns a Python value into what msgpack packs, collecting Arrow attachments in ``frames``."""
    t = type(value)
    if value is None or t is bool or t is str or t is float or t is bytes:
        return value
    if t is int:
        return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else _int64(value)
    if t is list or t is tuple:
        return [_prepare(v, frames) for v in value]
    if t is dict:
        return _prepare_dict(value, frames)
    if t is Int64:
        return _int64(int(value))
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        if value.dtype == np.uint8:
            return value.tobytes()
        from .arrow import encode_array, encode_array_frames

        parts = encode_array_frames(value) if getattr(frames, "split", True) else [encode_array(value)]
        first = len(frames) + 1
        frames.extend(parts)
        return msgpack.ExtType(Ext.ARROW, _U32.pack(first) if len(parts) == 1 else _SPAN.pack(first, len(parts)))
    pa = sys.modules.get("pyarrow")
    if pa is not None and isinstance(value, pa.Table):
        from .arrow import encode_table

        frames.append(encode_table(value))
        return msgpack.ExtType(Ext.ARROW, _U32.pack(len(frames)))
    ref = value if isinstance(value, ObjectRef) else getattr(value, "to_object_ref", None)
    if ref is not None:
        if not isinstance(ref, ObjectRef):
            ref = ref()
        return msgpack.ExtType(Ext.REF, msgpack.packb([ref.type, ref.key]))
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) or (np is not None and isinstance(value, np.integer)):  # int subclasses; numpy's integers are none
        return _prepare(int(value), frames)
    if isinstance(value, float) or (np is not None and isinstance(value, np.floating)):
        return float(value)
    if np is not None and isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, dict):
        return _prepare_dict(value, frames)
    if isinstance(value, (list, tuple)):
        return [_prepare(v, frames) for v in value]
    raise NotSerializableError(f"a value of type {type(value).__name__} cannot travel to the DSO")


def _prepare_dict(value: Dict[Any, Any], frames: List[Any]) -> Dict[Any, Any]:
    """
    A dict's entries prepared. Keys are strings or numbers: a map key arrives at a node (and at the
    TypeScript side) as a string, so numbers are sent as the strings they become there, and two keys
    that become the same string (``1`` and ``"1"``) are refused rather than one silently lost.
    """
    out: Dict[Any, Any] = {}
    for key, v in value.items():
        k = key if type(key) is str else _key_string(key)
        if k in out:
            raise BadArgumentError(f"two keys of this dict (one is {key!r}) both arrive as the string {k!r}: dict keys travel as strings")
        out[k] = _prepare(v, frames)
    return out


def _key_string(k: Any) -> str:
    """The string a number key becomes on the TypeScript side (``String(n)``); other keys cannot travel."""
    if isinstance(k, str):
        return str(k)
    if isinstance(k, bool) or not isinstance(k, (int, float)):
        np = sys.modules.get("numpy")
        if np is not None and isinstance(k, (np.integer, np.floating)) and not isinstance(k, np.bool_):
            return _key_string(k.item())
        raise NotSerializableError(f"a dict key of type {type(k).__name__} ({k!r}) cannot travel: keys must be strings or numbers")
    if isinstance(k, float) and k.is_integer() and abs(k) < 1e21:
        return str(int(k))
    return str(int(k)) if isinstance(k, int) else repr(k)


class _OneFrameEach(list):
    """Attachments collected with no array split over frames (``encode_value(..., split=False)``)."""

    split = False


def encode_value(envelope: Sequence[Any], split: bool = True) -> List[Any]:
    """
    Encodes an envelope (with its attachments) into frames.

    :param envelope: the envelope array
    :param split: send arrays of 64 KiB or more as three frames, their values not copied (PROTOCOL.md
        §4.1); False: every attachment in one frame, as the TypeScript side writes them
    :return: frame 0 (bytes) followed by the Arrow attachments (buffers)
    """
    frames: List[Any] = [] if split else _OneFrameEach()
    head = msgpack.packb(_prepare(list(envelope), frames), use_bin_type=True)
    return [head, *frames]


def decode_value(frames: Sequence[Any], revive_ref: Optional[Callable[[ObjectRef], Any]] = None) -> List[Any]:
    """
    Decodes frames produced by :func:`encode_value` (or by the TypeScript side) back into the envelope.

    :param frames: bytes-like frames; frame 0 is MessagePack
    :param revive_ref: turns a decoded reference into a local object (a proxy); default keeps ObjectRef
    :return: the envelope array
    """
    if not frames:
        raise BadFrameError("empty message")
    attachments = frames[1:]

    def ext_hook(code: int, data: bytes) -> Any:
        if code == Ext.ARROW:
            if len(data) == 4:
                i, count = _U32.unpack(data)[0], 1
            elif len(data) == 8:
                i, count = _SPAN.unpack(data)
            else:
                raise BadFrameError("arrow extension must hold a 4-byte frame index, or an index and a frame count (8 bytes)")
            if i < 1 or count < 1 or i - 1 + count > len(attachments):
                names = f"frames {i}..{i + count - 1}" if count > 1 else f"frame {i}"
                raise BadFrameError(f"arrow extension names {names}, message has {len(attachments)}")
            from .arrow import decode_arrow, decode_arrow_parts

            if count == 1:
                return decode_arrow(attachments[i - 1])
            return decode_arrow_parts(attachments[i - 1:i - 1 + count])
        if code == Ext.INT64:
            if len(data) != 8:
                raise BadFrameError("int64 extension must hold 8 bytes")
            return Int64(_I64.unpack(data)[0])
        if code == Ext.REF:
            try:
                v = msgpack.unpackb(data, raw=False)
            except Exception as cause:
                raise BadFrameError("ref extension must hold [type, key]") from cause
            if not (isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and isinstance(v[1], str)):
                raise BadFrameError("ref extension must hold [type, key]")
            ref = ObjectRef(v[0], v[1])
            return revive_ref(ref) if revive_ref else ref
        return msgpack.ExtType(code, data)

    try:
        v = msgpack.unpackb(frames[0], raw=False, ext_hook=ext_hook, strict_map_key=False)
    except BadFrameError:
        raise
    except Exception as cause:
        raise BadFrameError(f"envelope is not valid MessagePack: {cause}") from cause
    if not isinstance(v, list) or len(v) < 4:
        raise BadFrameError("envelope must be an array of at least 4 elements")
    if v[0] != PROTOCOL_VERSION or type(v[0]) is not int:
        raise ProtocolVersionError(f"protocol version {v[0]!r} is not supported (this side speaks {PROTOCOL_VERSION})")
    return v


class WireCodec:
    """
    Encodes and decodes envelopes for one connection.

    :param revive_ref: turns references received in values into local objects (proxies)
    """

    def __init__(self, revive_ref: Optional[Callable[[ObjectRef], Any]] = None) -> None:
        self.revive_ref = revive_ref

    def encode_value(self, envelope: Sequence[Any]) -> List[Any]:
        """:param envelope: the envelope array. :return: frames."""
        return encode_value(envelope)

    def decode_value(self, frames: Sequence[Any]) -> List[Any]:
        """:param frames: received frames. :return: the envelope array."""
        return decode_value(frames, self.revive_ref)

    def decode_reply(self, frames: Sequence[Any]) -> "Reply":
        """
        Decodes an OK or ERROR reply once into a :class:`Reply`.

        :param frames: received frames
        :raises BadFrameError: if the frames are no reply envelope
        :raises ProtocolVersionError: if the envelope's version is not 1
        """
        return parse_reply(decode_value(frames, self.revive_ref))

    def encode_call(self, client: bytes, seq: int, type: str, key: str, method: str, args: Sequence[Any], opts: Optional[Dict[str, Any]] = None) -> List[Any]:
        """
        Encodes a CALL envelope ``[1, 0, client, seq, type, key, method, args, opts]``.

        :param client: 8-byte client id
        :param seq: call sequence number
        :param type: object type name
        :param key: object key
        :param method: wire (camelCase) method name
        :param args: positional arguments
        :param opts: call options (``init``, ``forceNew``, ``persistent``, ``timeoutMs``...) or None
        """
        return encode_value([PROTOCOL_VERSION, Kind.CALL, client, seq, type, key, method, list(args), opts if opts else None])

    def encode_ok(self, seq: Optional[int], result: Any) -> List[Any]:
        """:param seq: seq answered. :param result: the value. :return: frames of an OK reply."""
        return encode_value([PROTOCOL_VERSION, Kind.OK, seq, result])

    def encode_error(self, seq: Optional[int], err: Dict[str, Any]) -> List[Any]:
        """:param seq: seq answered. :param err: ``{code, name, message, stack}``. :return: frames of an ERROR reply."""
        payload = {"code": err["code"], "name": err["name"], "message": err["message"], "stack": err.get("stack") or ""}
        return encode_value([PROTOCOL_VERSION, Kind.ERROR, seq, payload])


class Call:
    """A decoded CALL."""

    __slots__ = ("client", "seq", "type", "key", "method", "args", "opts")

    def __init__(self, client: bytes, seq: int, type: str, key: str, method: str, args: List[Any], opts: Dict[str, Any]) -> None:
        self.client, self.seq, self.type, self.key, self.method, self.args, self.opts = client, seq, type, key, method, args, opts


def parse_call(v: List[Any]) -> Call:
    """
    Validates a decoded CALL envelope's shape, with the same messages as the TypeScript side.

    :param v: decoded envelope
    :raises BadFrameError: saying what is wrong
    """
    if v[1] != Kind.CALL:
        raise BadFrameError(f"expected a CALL (kind {Kind.CALL}), got kind {v[1]}")
    if len(v) != 9:
        raise BadFrameError(f"CALL envelope must have 9 elements, has {len(v)}")
    _, _, client, seq, type_, key, method, args, opts = v
    if not isinstance(client, bytes):
        raise BadFrameError("CALL client id must be bytes")
    if type(seq) not in (int, Int64) or seq < 0:
        raise BadFrameError("CALL seq must be a non-negative integer")
    if not (isinstance(type_, str) and isinstance(key, str) and isinstance(method, str)):
        raise BadFrameError("CALL type, key and method must be strings")
    if not isinstance(args, list):
        raise BadFrameError("CALL args must be an array")
    if opts is not None and not isinstance(opts, dict):
        raise BadFrameError("CALL opts must be a map or nil")
    return Call(client, int(seq), type_, key, method, args, opts or {})


class Reply(NamedTuple):
    """A decoded OK or ERROR reply: ``payload`` is the result (OK) or the ``{code, name, message, stack}`` map (ERROR)."""

    kind: int
    seq: Optional[int]
    payload: Any


def parse_reply(v: List[Any]) -> Reply:
    """
    Validates a decoded reply envelope ``[1, kind, seq, payload]``, with the same messages as the TypeScript side.

    :param v: decoded envelope (version already checked by :func:`decode_value`)
    :raises BadFrameError: if the kind is not OK or ERROR, or the seq is neither an integer nor nil
    """
    kind, seq = v[1], v[2]
    if type(kind) is not int or kind not in (Kind.OK, Kind.ERROR):
        raise BadFrameError(f"unexpected reply kind {kind!r}")
    if seq is not None and type(seq) is not int:
        raise BadFrameError("reply seq must be an integer or nil")
    return Reply(kind, seq, v[3])


def peek_seq(v: Any) -> Optional[int]:
    """Best-effort read of a reply's seq from a possibly malformed envelope."""
    return v[2] if isinstance(v, list) and len(v) > 2 and type(v[2]) is int else None
