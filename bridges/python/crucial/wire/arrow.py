"""
Arrow IPC for numeric arrays and tables, mirroring ``core/protocol/wire/arrow.ts``. A numpy array becomes a
one-column stream without an element-by-element copy; on arrival the column's buffer is handed back
as a (read-only) numpy view of the received frame.
"""
from __future__ import annotations

from typing import Any, List, Sequence, Union

import numpy as np
import pyarrow as pa

from ..errors import BadFrameError, NotSerializableError
from .arrow_templates import decode_from_template, empty_in_frame, encode_from_template, encode_parts_from_template, keep_decode_template
from .protocol import ARROW_ARRAY_COLUMN, ARROW_KIND_ARRAY, ARROW_KIND_KEY, ARROW_KIND_TABLE

__all__ = ["NUMERIC_DTYPES", "is_numeric_array", "empty_array", "encode_array", "encode_array_frames", "encode_table", "decode_arrow", "decode_arrow_parts"]

#: dtypes that travel as Arrow; ``uint8`` travels as MessagePack bin instead, as ``Uint8Array`` does in TypeScript.
NUMERIC_DTYPES = frozenset("float64 float32 int8 int16 int32 int64 uint16 uint32 uint64".split())

_KIND_KEY = ARROW_KIND_KEY.encode()


def is_numeric_array(value: Any) -> bool:
    """Tells whether a value travels as an Arrow ``array`` attachment."""
    return isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.dtype != np.uint8


def encode_array(arr: np.ndarray) -> np.ndarray:
    """
    Encodes a 1-D numeric numpy array as an Arrow IPC stream (kind ``array``, column ``v``), byte for
    byte pyarrow's; arrays of a (dtype, length) already met reuse pyarrow's bytes around the values
    (:mod:`crucial.wire.arrow_templates`).

    :param arr: the array; non-contiguous or non-native-endian arrays are made contiguous first
    :return: the stream, one fresh uint8 buffer (the values copied once into it)
    """
    return encode_from_template(_sendable(arr), _write_array)


def encode_array_frames(arr: np.ndarray) -> List[Any]:
    """
    As :func:`encode_array`, as the frames that carry the stream (PROTOCOL.md §4.1): one, or for a
    large array three, the middle one the array's own bytes (not copied: the array must not change
    until the call that sends it settles).

    :param arr: the array, as for :func:`encode_array`
    :return: bytes-like frames whose concatenation is the stream
    """
    return encode_parts_from_template(_sendable(arr), _write_array)


def _sendable(arr: np.ndarray) -> np.ndarray:
    if arr.ndim != 1:
        raise NotSerializableError(f"only 1-D arrays travel as Arrow vectors, got shape {arr.shape}; use arr.reshape(-1)")
    if arr.dtype.name not in NUMERIC_DTYPES:
        raise NotSerializableError(f"arrays of dtype {arr.dtype} cannot travel; use one of {sorted(NUMERIC_DTYPES)}")
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return np.ascontiguousarray(arr)


def _write_array(arr: np.ndarray) -> pa.Buffer:
    col = pa.array(arr)  # zero-copy for contiguous numeric arrays
    schema = pa.schema([pa.field(ARROW_ARRAY_COLUMN, col.type)], metadata={_KIND_KEY: ARROW_KIND_ARRAY.encode()})
    return _stream(pa.record_batch([col], schema=schema))


def empty_array(length: int, dtype: Any = "float64") -> np.ndarray:
    """
    A new, uninitialised 1-D array that is sent without being copied, in one frame: it lies inside a
    buffer holding the Arrow stream around it, so setting it (``AtomicReference.set``, any argument)
    sends that buffer as it is. (Any other array of 64 KiB or more is not copied either, but goes as
    three frames, PROTOCOL.md §4.1; a smaller one is copied once into a new stream.) As with the TypeScript client's large arrays, the array is read
    when the call is sent and again if it is resent: **do not change it until the call settles**
    (a change in between may reach the node, or reach it only on a resend).

    :param length: number of elements
    :param dtype: one of :data:`NUMERIC_DTYPES`
    :return: the writable array (a view; slices and copies of it are ordinary arrays)
    :raises NotSerializableError: if the dtype cannot travel
    """
    dt = np.dtype(dtype)
    if dt.name not in NUMERIC_DTYPES or not dt.isnative:
        raise NotSerializableError(f"arrays of dtype {dt} cannot travel; use one of {sorted(NUMERIC_DTYPES)}")
    if not (isinstance(length, (int, np.integer)) and length >= 0):
        raise NotSerializableError(f"length must be a non-negative integer, got {length!r}")
    return empty_in_frame(dt, int(length), _write_array)


def encode_table(table: pa.Table) -> pa.Buffer:
    """
    Encodes an Arrow table (kind ``table``), keeping its own schema metadata.

    :param table: the table
    :return: the stream
    """
    meta = dict(table.schema.metadata or {})
    meta[_KIND_KEY] = ARROW_KIND_TABLE.encode()
    table = table.replace_schema_metadata(meta)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _stream(batch: pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def decode_arrow(frame: Any) -> Union[np.ndarray, pa.Table]:
    """
    Decodes one attachment frame.

    :param frame: bytes-like Arrow IPC stream
    :return: a read-only numpy view (kind ``array``) or an Arrow table (anything else)
    """
    arr = decode_from_template(frame)
    if arr is not None:
        return arr
    try:
        table = pa.ipc.open_stream(pa.py_buffer(frame)).read_all()
    except (pa.ArrowException, ValueError, OSError) as cause:
        raise BadFrameError(f"attachment is not a valid Arrow IPC stream: {cause}") from cause
    meta = table.schema.metadata or {}
    if meta.get(_KIND_KEY) == ARROW_KIND_ARRAY.encode():
        if ARROW_ARRAY_COLUMN not in table.column_names:
            raise BadFrameError(f'array attachment has no column "{ARROW_ARRAY_COLUMN}"')
        col = table.column(ARROW_ARRAY_COLUMN)
        if col.null_count > 0:
            raise BadFrameError("array attachment holds nulls")
        if col.num_chunks == 1:
            arr = col.chunk(0).to_numpy(zero_copy_only=True)
            keep_decode_template(frame, arr)
            return arr
        return col.to_numpy()
    return table


def decode_arrow_parts(parts: Sequence[Any]) -> Union[np.ndarray, pa.Table]:
    """
    Decodes one attachment sent as several frames (PROTOCOL.md §4.1): their concatenation, decoded
    as :func:`decode_arrow` decodes one frame.

    :param parts: bytes-like frames, in order
    """
    return decode_arrow(b"".join(parts))
