"""
The TypeScript test vectors (core/protocol/wire/vectors, PROTOCOL.md §10) decode in Python to the envelope
their JSON describes, and re-encode byte for byte: frame 0 (MessagePack) always; Arrow frames too,
or, where Arrow's writers lay a stream out differently, to the same dtype and element bytes.
"""
import hashlib
import json
import math
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from crucial.wire.arrow import decode_arrow
from crucial.wire.codec import decode_value, encode_value
from crucial.wire.protocol import Int64, ObjectRef

VECTORS = Path(__file__).resolve().parents[4] / "core" / "protocol" / "wire" / "vectors"
CASES = sorted(VECTORS.glob("*.json")) if VECTORS.is_dir() else []


def unpack_frames(data: bytes):
    (n,) = struct.unpack_from(">I", data, 0)
    pos, frames = 4, []
    for _ in range(n):
        (length,) = struct.unpack_from(">I", data, pos)
        frames.append(data[pos + 4:pos + 4 + length])
        pos += 4 + length
    assert pos == len(data), "trailing bytes after the frames"
    return frames


def to_tagged(v, counter):
    if v is None or isinstance(v, (bool, str)):
        return v
    if type(v) is Int64:
        return {"$int64": str(int(v))}
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v) or (v == 0 and math.copysign(1, v) < 0):
            return {"$float64": "-0" if v == 0 else ("NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity"))}
        return int(v) if v.is_integer() else v
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, ObjectRef):
        return {"$ref": [v.type, v.key]}
    if isinstance(v, np.ndarray):
        counter[0] += 1
        body = {"frame": counter[0], "dtype": v.dtype.name, "length": int(v.shape[0])}
        if v.shape[0] <= 64:
            body["values"] = [str(int(x)) if v.dtype.name in ("int64", "uint64") else (int(x) if float(x).is_integer() else float(x)) for x in v]
        else:
            body["sha256"] = hashlib.sha256(v.astype(v.dtype.newbyteorder("<")).tobytes()).hexdigest()
        return {"$arrow": body}
    if isinstance(v, list):
        return [to_tagged(x, counter) for x in v]
    if isinstance(v, dict):
        out = {k: to_tagged(x, counter) for k, x in v.items()}
        return {"$map": out} if len(out) == 1 and str(next(iter(out))).startswith("$") else out
    raise TypeError(type(v))


def normalise(tagged):
    """JSON numbers: the generator writes integral floats as integers; compare on that footing."""
    if isinstance(tagged, float) and tagged.is_integer():
        return int(tagged)
    if isinstance(tagged, list):
        return [normalise(x) for x in tagged]
    if isinstance(tagged, dict):
        if "$arrow" in tagged and "values" in tagged["$arrow"]:
            body = dict(tagged["$arrow"])
            body["values"] = [x if isinstance(x, str) else normalise(x) for x in body["values"]]
            return {"$arrow": body}
        return {k: normalise(x) for k, x in tagged.items()}
    return tagged


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
@pytest.mark.parametrize("side", ["request", "response"])
def test_a_typescript_vector_decodes_to_its_description_and_reencodes_byte_for_byte(case, side):
    spec = json.loads(case.read_text())[side]
    frames = unpack_frames((VECTORS / spec["file"]).read_bytes())
    for f, d in zip(frames, spec["frames"]):
        assert len(f) == d["length"]
    envelope = decode_value(frames)
    assert normalise(to_tagged(envelope, [0])) == normalise(spec["envelope"])
    # Frame for frame as TS writes them; the default, large arrays split over frames, is test_arrow_split.py's.
    again = encode_value(envelope, split=False)
    assert len(again) == len(frames)
    assert again[0] == frames[0], "frame 0 must re-encode byte for byte"
    for mine, theirs in zip(again[1:], frames[1:]):
        a, b = decode_arrow(bytes(mine)), decode_arrow(theirs)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes()
        else:
            assert isinstance(a, pa.Table) and a.equals(b)


def test_arrow_attachments_from_typescript_are_read_without_a_copy():
    spec = json.loads((VECTORS / "float64-1e5.json").read_text())["request"]
    frames = unpack_frames((VECTORS / spec["file"]).read_bytes())
    arr = decode_value(frames)[7][1]
    assert arr.dtype == np.float64 and arr.shape == (100_000,) and arr[3] == 1.5
    assert not arr.flags.owndata and not arr.flags.writeable
