"""
One-column array streams by shape, mirroring ``core/protocol/wire/arrow-templates.ts``: a large
array's encode and decode skip pyarrow's per-call work (building a schema, batch and writer; parsing
and verifying the flatbuffers of a just-received frame, 0.2-0.3 ms cold for 8 MB: cache misses).

Both are exact by construction, not a second Arrow implementation:

- encode: pyarrow's stream for a one-column array depends on its dtype and length only (no nulls,
  the values one buffer). The first array of a shape is written by pyarrow; the bytes before and
  after its values are kept and put around later arrays' values, so the bytes are pyarrow's own.
  libzmq sends a message part from one contiguous buffer, so a large array goes out as three frames
  (PROTOCOL.md §4.1: the bytes before its values, its own values, the bytes after) that the receiver
  reads as one stream; a small one is copied once into a single frame. An array received by template
  decode and sent on unchanged goes out as its own frame, verified when its template was made (the
  node's bytes, then, not pyarrow's).
- decode: a frame whose bytes equal, everywhere but its values region, those of a frame pyarrow
  decoded before (verified, into a view) decodes to the same dtype and length over that region: the
  metadata, body layout and end of stream are all among the bytes compared. Any other frame goes
  through pyarrow as before.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, List, NamedTuple, Optional, Tuple

import numpy as np

__all__ = ["encode_from_template", "encode_parts_from_template", "SPLIT_MIN_BYTES", "empty_in_frame", "decode_from_template",
           "keep_decode_template", "MAX_SHAPES", "TEMPLATE_MAX_METADATA_BYTES"]

#: Shapes kept per direction; a program moving more distinct shapes than this just misses more.
MAX_SHAPES = 32
#: Arrays of at least this many bytes are sent as three frames, their values one of them (no copy).
SPLIT_MIN_BYTES = 64 * 1024
#: Bytes around the values a decode template keeps at most (a one-column stream has a few hundred).
TEMPLATE_MAX_METADATA_BYTES = 64 * 1024


class _Encode(NamedTuple):
    head: np.ndarray  # uint8, the stream before the values
    tail: np.ndarray  # uint8, padding and end of stream after them
    size: int
    head_bytes: bytes  # the same bytes, as split frames send them
    tail_bytes: bytes


class _Decode(NamedTuple):
    head: bytes
    tail: bytes
    dtype: np.dtype
    length: int


_encode: "OrderedDict[Tuple[str, int], _Encode]" = OrderedDict()
_decode: "OrderedDict[int, _Decode]" = OrderedDict()
_lock = threading.Lock()  # misses only: a lookup is a plain dict read


def _remember(cache: "OrderedDict[Any, Any]", key: Any, value: Any) -> None:
    with _lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > MAX_SHAPES:
            cache.popitem(last=False)


def encode_from_template(arr: np.ndarray, write: Callable[[np.ndarray], Any]) -> Any:
    """
    The stream ``write`` (pyarrow's writer) makes for ``arr``, as one fresh uint8 buffer.

    :param arr: a 1-D C-contiguous native-endian numeric array
    :param write: writes the stream of an array with pyarrow (used for the first array of a shape)
    :return: the stream's bytes, byte for byte those of ``write(arr)`` in a fresh buffer; or, for
        an array received by template decode, the frame it still lies in (no copy)
    """
    framed = _received_frame(arr)
    if framed is not None:
        return framed
    t = _template(arr, write)
    if t is None:
        return np.frombuffer(write(arr), dtype=np.uint8).copy()
    framed = _allocated_frame(arr, t)
    if framed is not None:
        return framed
    values = arr.view(np.uint8)
    out = np.empty(t.size, dtype=np.uint8)
    h = t.head.size
    out[:h] = t.head
    out[h:h + values.size] = values
    out[h + values.size:] = t.tail
    return out


def encode_parts_from_template(arr: np.ndarray, write: Callable[[np.ndarray], Any]) -> List[Any]:
    """
    The stream ``write`` makes for ``arr`` as the frames to send it in: one frame as
    :func:`encode_from_template` makes it, or, for an array of at least :data:`SPLIT_MIN_BYTES` of a
    known shape, three frames (the bytes before the values, the array's own bytes, the bytes after)
    whose concatenation is that stream. libzmq sends each frame from its buffer, so the values are
    not copied; the array is read when the frames are sent (and resent), as the TS client's are.
    """
    if arr.nbytes >= SPLIT_MIN_BYTES and _received_frame(arr) is None:
        t = _template(arr, write)
        if t is not None and _allocated_frame(arr, t) is None:
            return [t.head_bytes, memoryview(arr).cast("B"), t.tail_bytes]
    return [encode_from_template(arr, write)]


def empty_in_frame(dtype: np.dtype, length: int, write: Callable[[np.ndarray], Any]) -> np.ndarray:
    """A writable array of ``length`` ``dtype`` values lying in a frame of pyarrow's stream for it (see :func:`crucial.wire.arrow.empty_array`)."""
    t = _encode.get((dtype.str, length)) or _template(np.zeros(length, dtype=dtype), write)
    if t is None:
        return np.empty(length, dtype=dtype)
    frame = np.empty(t.size, dtype=np.uint8)
    h = t.head.size
    frame[:h] = t.head
    frame[t.size - t.tail.size:] = t.tail
    return frame[h:h + length * dtype.itemsize].view(dtype)


def _allocated_frame(arr: np.ndarray, t: _Encode) -> Optional[np.ndarray]:
    """The frame :func:`empty_in_frame` put ``arr`` in, when its bytes around ``arr`` are still pyarrow's."""
    base = arr.base
    if type(base) is not np.ndarray or base.dtype != np.uint8 or base.ndim != 1 or base.size != t.size or base.base is not None:
        return None
    h = t.head.size
    if arr.__array_interface__["data"][0] - base.__array_interface__["data"][0] != h:
        return None
    if not (np.array_equal(base[:h], t.head) and np.array_equal(base[h + arr.nbytes:], t.tail)):
        return None
    return base


def _received_frame(arr: np.ndarray) -> Optional[memoryview]:
    """
    The frame ``arr`` was received in, when it was decoded by template and its frame is unchanged
    around it: that frame is then a stream pyarrow verified (the decode template's bytes) of this
    very array, and goes out again as it is, with no copy. The array is a read-only view; the rule
    of every sent array holds (it must not change until the call settles, resends included).
    """
    base = arr.base
    if type(base) is not memoryview or arr.flags.writeable:
        return None
    t = _decode.get(base.nbytes)
    if t is None or t.dtype != arr.dtype or t.length != arr.shape[0]:
        return None
    frame, addr = _address(base)
    h = len(t.head)
    if arr.__array_interface__["data"][0] - addr != h:
        return None
    if frame[:h].tobytes() != t.head or frame[base.nbytes - len(t.tail):].tobytes() != t.tail:
        return None
    return base


def _template(arr: np.ndarray, write: Callable[[np.ndarray], Any]) -> Optional[_Encode]:
    """The encode template of ``arr``'s shape, made from pyarrow's stream of ``arr`` when there is none; None for empty arrays."""
    key = (arr.dtype.str, arr.shape[0])
    t = _encode.get(key)
    if t is None and arr.size:
        stream = np.frombuffer(write(arr), dtype=np.uint8)
        values = arr.view(np.uint8)
        at = _values_offset(stream, values)
        if at is None:
            return None
        head, tail = stream[:at].copy(), stream[at + values.size:].copy()
        t = _Encode(head, tail, stream.size, head.tobytes(), tail.tobytes())
        _remember(_encode, key, t)
    return t


def _values_offset(stream: np.ndarray, values: np.ndarray) -> Optional[int]:
    """Where the values lie in a one-column stream: the body's start, after an 8-byte-padded values buffer and the 8-byte end."""
    body = (values.size + 7) // 8 * 8
    at = stream.size - 8 - body
    if at < 0 or not np.array_equal(stream[at:at + values.size], values):
        return None
    return at


def _address(frame: Any) -> Tuple[np.ndarray, int]:
    view = np.frombuffer(frame, dtype=np.uint8)
    return view, view.__array_interface__["data"][0]


def decode_from_template(frame: Any) -> Optional[np.ndarray]:
    """
    The array ``frame`` decodes to when it matches a template everywhere but its values, else None.

    :param frame: a bytes-like attachment
    :return: a read-only view of the frame's values
    """
    n = len(frame) if isinstance(frame, (bytes, bytearray)) else memoryview(frame).nbytes
    t = _decode.get(n)
    if t is None:
        return None
    view, addr = _address(frame)
    h = len(t.head)
    if (addr + h) % t.dtype.itemsize != 0:
        return None
    if view[:h].tobytes() != t.head or view[n - len(t.tail):].tobytes() != t.tail:
        return None
    arr = np.frombuffer(frame, dtype=t.dtype, count=t.length, offset=h)
    arr.flags.writeable = False  # as pyarrow's view is: a zmq frame's buffer is writable
    return arr


def keep_decode_template(frame: Any, arr: np.ndarray) -> None:
    """Keeps ``frame``'s bytes around ``arr`` (a view into it that pyarrow returned) as the template of frames of its size."""
    if arr.size == 0 or arr.ndim != 1 or not arr.flags.c_contiguous:
        return
    view, addr = _address(frame)
    at = arr.__array_interface__["data"][0] - addr
    end = at + arr.nbytes
    if at < 0 or end > view.size or view.size - arr.nbytes > TEMPLATE_MAX_METADATA_BYTES:
        return
    _remember(_decode, view.size, _Decode(view[:at].tobytes(), view[end:].tobytes(), arr.dtype, arr.shape[0]))
