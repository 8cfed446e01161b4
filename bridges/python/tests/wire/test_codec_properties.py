"""Property-based tests (Hypothesis) of the Python codec: what it encodes decodes back the same,
and arbitrary bytes are refused with a typed error, never anything else. Seeds: Hypothesis prints
the falsifying example and a @reproduce_failure blob on failure."""
import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from crucial.errors import CrucialError
from crucial.wire.arrow import NUMERIC_DTYPES
from crucial.wire.codec import decode_value, encode_value, parse_call
from crucial.wire.protocol import ObjectRef

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
ARRAYS = st.sampled_from(sorted(NUMERIC_DTYPES)).flatmap(
    lambda dt: st.lists(st.integers(0, 100), max_size=8).map(lambda xs: np.array(xs, dtype=dt)))
LEAVES = st.one_of(st.none(), st.booleans(), INT64, st.floats(allow_nan=False), st.text(), st.binary(max_size=64),
                   st.tuples(st.text(), st.text()).map(lambda t: ObjectRef(*t)), ARRAYS)
VALUES = st.recursive(LEAVES, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(), kids, max_size=4)), max_leaves=12)


def same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, ObjectRef) or isinstance(b, ObjectRef):
        return isinstance(a, ObjectRef) and isinstance(b, ObjectRef) and (a.type, a.key) == (b.type, b.key)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) or (isinstance(a, int) and isinstance(b, int)) if a == b else False


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(VALUES)
def test_every_value_round_trips_through_an_ok_envelope(v):
    back = decode_value(encode_value([1, 1, 7, v]))
    assert back[:3] == [1, 1, 7]
    assert same(v, back[3]), (v, back[3])


@settings(max_examples=80, deadline=None)
@given(st.binary(min_size=8, max_size=8), st.integers(0, 2**53 - 1), st.text(), st.text(), st.text(), st.lists(VALUES, max_size=3))
def test_every_call_round_trips_and_parses(client, seq, type_, key, method, args):
    call = parse_call(decode_value(encode_value([1, 0, client, seq, type_, key, method, args, None])))
    assert (call.client, call.seq, call.type, call.key, call.method) == (client, seq, type_, key, method)
    assert same(list(args), call.args)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=200), min_size=1, max_size=3))
def test_arbitrary_bytes_are_refused_with_a_typed_error_only(frames):
    try:
        decode_value(frames)
    except CrucialError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(VALUES, max_size=3), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=6))
def test_a_mutated_call_is_decoded_or_refused_with_a_typed_error(args, flips):
    frames = [bytearray(f) for f in encode_value([1, 0, b"\x01" * 8, 1, "AtomicMap", "k", "put", args, None])]
    for at, b in flips:
        f = frames[at % len(frames)]
        if f:
            f[at % len(f)] = b
    try:
        parse_call(decode_value([bytes(f) for f in frames]))
    except CrucialError:
        pass
