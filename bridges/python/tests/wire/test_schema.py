"""
The Python proxies and error classes against the method schema and the error table the TS side
renders as JSON vectors (core/protocol/wire/vectors/schema, from core/protocol/schema): a method
cannot exist on one side and be missing on the other, and every proxy method calls the wire
method of its name with a number of arguments the node accepts.
"""
import inspect
import json
from pathlib import Path
from typing import Any, List, Tuple

import pytest

import crucial
from crucial import errors
from crucial.objects.shared_object import SharedObject

SCHEMA = Path(__file__).resolve().parents[4] / "core" / "protocol" / "wire" / "vectors" / "schema"
METHODS = json.loads((SCHEMA / "methods.json").read_text())["types"]
ERRORS = json.loads((SCHEMA / "errors.json").read_text())["errors"]

#: A valid Python value of each argument kind (only required arguments are passed).
SAMPLE = {
    "int": 0, "int32": 1, "long": 1, "number": 1.5, "bool": True, "byte": 7, "bytes": b"\0" * 4,
    "lengthOrBytes": 4, "index": 0, "count": 1, "key": 1, "value": "v", "list": [1],
    "entries": {"a": 1}, "vector": [1.0, 2.0], "mergeFn": "replace", "timeoutMs": None,
    "error": RuntimeError("m"),
}
#: What the fake node answers, by result kind, so the proxies' conversions run.
ANSWER = {
    "nil": None, "int": 0, "long": 0, "number": 0.0, "bool": True, "bytes": b"", "value": None,
    "list": [], "vector": [0.0, 0.0, 0.0, 0.0], "key?": None, "keys": [], "pair?": None, "pairs": [], "shape": [2, 2],
    "arrival": {"generation": 1, "index": 0}, "value|bool": None,
}


class RecordingConnection:
    """Stands in for a Connection: records each call and answers by the schema's result kind."""

    closed = False

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name
        self.calls: List[Tuple[str, Tuple[Any, ...]]] = []

    def call(self, type_name: str, key: str, method: str, args: Any, opts: Any = None, timeout: Any = None) -> Any:
        assert type_name == self.type_name
        self.calls.append((method, tuple(args)))
        spec = METHODS[type_name]["methods"].get(method)
        return ANSWER[spec["result"]] if spec else None


def proxy_methods(cls: type) -> set:
    """Public callables a proxy class adds to SharedObject."""
    base = {n: getattr(SharedObject, n) for n in dir(SharedObject)}
    return {n for n in dir(cls) if not n.startswith("_") and callable(getattr(cls, n)) and getattr(cls, n) is not base.get(n)}


@pytest.mark.parametrize("type_name", sorted(METHODS))
def test_schema_the_python_proxy_has_exactly_the_schema_methods(type_name):
    spec = METHODS[type_name]
    cls = getattr(crucial, type_name)
    assert cls.type_name == type_name
    expected = {m["python"] for w, m in spec["methods"].items() if w not in spec["proxy"]["wireOnly"]}
    expected |= {c["python"] for c in spec["proxy"]["clientSide"]} | set(spec["proxy"]["pythonOnly"])
    have = proxy_methods(cls)
    assert sorted(expected - have) == [], "in the schema but not on the Python proxy"
    assert sorted(have - expected) == [], "on the Python proxy but not in the schema (add it, or list it in proxy.pythonOnly)"


@pytest.mark.parametrize("type_name", sorted(METHODS))
def test_schema_each_python_method_calls_its_wire_method_with_an_arity_the_node_accepts(type_name):
    spec = METHODS[type_name]
    for wire, m in spec["methods"].items():
        if wire in spec["proxy"]["wireOnly"]:
            continue
        conn = RecordingConnection(type_name)
        proxy = getattr(crucial, type_name)("k", connection=conn)
        method = getattr(proxy, m["python"])
        # The proxy may require an argument the node defaults (a value of nil): fill what it requires, in schema order.
        needs = [p for p in inspect.signature(method).parameters.values()
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
        assert len(needs) <= len(m["args"]), f"{type_name}.{m['python']} requires more arguments than the node takes"
        method(*[SAMPLE[a["kind"]] for a in m["args"][:len(needs)]])
        # The first call is the method's own (to_array also asks for the shape to reshape the result).
        assert conn.calls and conn.calls[0][0] == wire, f"{type_name}.{m['python']} called {conn.calls}"
        for called, args in conn.calls:
            sig = spec["methods"][called]["args"]
            lo, hi = sum(1 for a in sig if not a.get("optional")), len(sig)
            assert lo <= len(args) <= hi, f"{type_name}.{m['python']} sent {called}{args}; the node takes {lo} to {hi} arguments"


def test_schema_every_error_code_rebuilds_the_python_class_of_the_same_name():
    for e in ERRORS:
        err = errors.error_from_data({"code": e["code"], "name": "X", "message": "m"})
        assert (type(err).__name__, err.code) == (e["name"], e["code"])


def test_schema_the_python_error_codes_are_exactly_the_table_codes():
    py_codes = {v for k, v in vars(errors.ErrorCode).items() if k.isupper()}
    assert py_codes == {e["code"] for e in ERRORS}
