"""
Binding iterdata to a function's parameters: the fast path kept per signature (issue 13) gives what
``inspect.Signature.bind`` gives (the oracle: Lithops binds with it), or the same error, for random
signatures and random elements; and ``prepare_args`` then gives the call Lithops's worker makes.
"""
import inspect
import os
import random

import pytest

from crucial.lithops.utils import INJECTED_ARGS, bind_one, prepare_args

KINDS = [inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.VAR_POSITIONAL,
         inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.VAR_KEYWORD]


def random_function(rng):
    """A function with a random valid signature (parameter order, defaults, *args/**kwargs, an injected ``id``)."""
    params, names = [], iter("abcdefghijklmnopqrstuvw")
    defaulted = False
    for kind in KINDS:
        for _ in range(rng.randrange(3) if kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD) else rng.randrange(2)):
            name = "id" if kind == inspect.Parameter.POSITIONAL_OR_KEYWORD and rng.random() < 0.15 else next(names)
            if any(p.name == name for p in params):
                continue
            default = inspect.Parameter.empty
            if kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
                if defaulted or rng.random() < 0.4:
                    default, defaulted = rng.randrange(100), True
            elif kind == inspect.Parameter.KEYWORD_ONLY and rng.random() < 0.5:
                default = rng.randrange(100)
            params.append(inspect.Parameter(name, kind, default=default))
    sig = inspect.Signature(params)
    src = f"def fn{sig}:\n    return None\n"
    scope = {}
    exec(src, scope)  # noqa: S102 (a test's own generated source)
    return scope["fn"], sig


def oracle_bind(sig, elem):
    """Lithops's binding (``lithops.utils.verify_args``): Signature.bind over the non-injected parameters."""
    usig = sig.replace(parameters=[p for n, p in sig.parameters.items() if n not in INJECTED_ARGS])
    if isinstance(elem, tuple):
        return dict(usig.bind(*elem).arguments)
    return dict(usig.bind(elem).arguments)


def oracle_prepare(sig, data, call_index):
    """Lithops's worker (``_prepare_args``): ``*args``/``**kwargs`` by their own names, the rest by name, ``id`` injected."""
    var_pos = next((n for n, p in sig.parameters.items() if p.kind == inspect.Parameter.VAR_POSITIONAL), None)
    var_kw = next((n for n, p in sig.parameters.items() if p.kind == inspect.Parameter.VAR_KEYWORD), None)
    payload = dict(data)
    args = tuple(payload.pop(var_pos)) if var_pos in payload else ()
    kwargs = dict(payload.pop(var_kw)) if var_kw in payload else {}
    kwargs.update(payload)
    if "id" in sig.parameters and "id" not in kwargs:
        kwargs["id"] = call_index
    return args, kwargs


def test_the_fast_binding_gives_what_signature_bind_gives_for_random_signatures():
    seed = int(os.environ.get("CRUCIAL_TEST_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    checked = 0
    for _ in range(400):
        fn, sig = random_function(rng)
        for _ in range(6):
            n = rng.randrange(5)
            elem = tuple(rng.randrange(1000) for _ in range(n)) if rng.random() < 0.7 else rng.randrange(1000)
            try:
                want = ("ok", oracle_bind(sig, elem))
            except TypeError as err:
                want = ("error", type(err))
            try:
                got = ("ok", bind_one(fn, elem))
            except TypeError as err:
                got = ("error", type(err))
            assert got == want, f"CRUCIAL_TEST_SEED={seed}: {sig} with {elem!r}"
            if got[0] == "ok":
                checked += 1
                assert prepare_args(fn, got[1], 7) == oracle_prepare(sig, got[1], 7), f"CRUCIAL_TEST_SEED={seed}: {sig} with {elem!r}"
    assert checked > 200, f"CRUCIAL_TEST_SEED={seed}: only {checked} bindings succeeded"


@pytest.mark.parametrize("elem", [(1, 2), {"a": 1, "b": 2}])
def test_a_namedtuple_binds_positionally_and_a_dict_subclass_by_name(elem):
    from collections import OrderedDict, namedtuple

    def f(a, b):
        return a, b

    Pair = namedtuple("Pair", "x y")
    value = Pair(*elem) if isinstance(elem, tuple) else OrderedDict(elem)
    assert bind_one(f, value) == {"a": 1, "b": 2}
