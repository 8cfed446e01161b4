"""
The pickled function of a job, reused by later jobs when pickling it again could not give anything
else (issue 13: ``cloudpickle.dumps`` of a function was the largest cost of an empty task, and every
``call_async`` shipped and unpickled its function again).

A function qualifies when everything cloudpickle would capture of it is immutable: its code (and
the code nested in it) stores no globals, the globals it names are absent or hold atoms (None,
numbers, strings, bytes, tuples and frozensets of those) or modules pickled by reference, and its
defaults, closure cells and annotations hold atoms (annotations may also be builtin types); its
``__dict__`` is empty. Lithops pickles the function at each call; for such a function that pickle is
a function of the fingerprint kept here, so the cached bytes are exactly what it would make, and a
worker that loaded the function for an earlier job may run it again: nothing the function can reach
in the worker differs from a fresh load. Any import in between makes a new pickle (cloudpickle lists
the imported submodules of the modules named). Anything else is pickled at every call, as before.
"""
from __future__ import annotations

import dis
import sys
import threading
import types
from collections import OrderedDict
from typing import Any, Callable, Dict, Optional, Tuple

import cloudpickle
from cloudpickle import cloudpickle as _cp

__all__ = ["FunctionCache"]

_ATOMS = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis))
_MISSING = object()
_GLOBAL_WRITES = frozenset(("STORE_GLOBAL", "DELETE_GLOBAL"))
# code object -> (every name its code and nested code reads, whether any of it writes a global)
_code_info: Dict[types.CodeType, Tuple[Tuple[str, ...], bool]] = {}


def _code_facts(code: types.CodeType) -> Tuple[Tuple[str, ...], bool]:
    facts = _code_info.get(code)
    if facts is None:
        names, writes, todo = set(), False, [code]
        while todo:
            co = todo.pop()
            names.update(co.co_names)
            writes = writes or any(ins.opname in _GLOBAL_WRITES for ins in dis.get_instructions(co))
            todo.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
        facts = (tuple(sorted(names)), writes)
        if len(_code_info) > 4096:
            _code_info.clear()
        _code_info[code] = facts
    return facts


def _atom(v: Any) -> Any:
    """A comparable stand-in for an immutable value, or _MISSING when ``v`` may change under us."""
    t = type(v)
    if t in _ATOMS:
        return (t, v)
    if t is tuple or t is frozenset:
        parts = tuple(_atom(x) for x in v)
        return _MISSING if any(p is _MISSING for p in parts) else (t, parts)
    return _MISSING


def _global(v: Any) -> Any:
    if v is _MISSING:
        return ("absent",)
    if isinstance(v, types.ModuleType):
        # Pickled by reference (imported by name in the worker) unless registered by value.
        return ("module", v) if _cp._should_pickle_by_reference(v) and sys.modules.get(v.__name__) is v else _MISSING
    return _atom(v)


def fingerprint(func: Any) -> Optional[Tuple[Any, ...]]:
    """What cloudpickle would capture of ``func``, as a comparable tuple; None when it may change in place."""
    if type(func) is not types.FunctionType or func.__dict__:
        return None
    code = func.__code__
    names, writes = _code_facts(code)
    if writes:
        return None
    g = func.__globals__
    # len(sys.modules): cloudpickle also lists the imported submodules of the modules named, so an
    # import since the last pickle may change it.
    parts = [id(g), len(sys.modules), func.__name__, func.__qualname__, func.__module__, _atom(func.__doc__), _atom(func.__defaults__)]
    kw = func.__kwdefaults__
    parts.append(_atom(tuple(sorted(kw.items()))) if kw else None)
    if func.__closure__:
        try:
            parts.append(_atom(tuple(c.cell_contents for c in func.__closure__)))
        except ValueError:  # an empty cell (a name bound later in the enclosing scope)
            return None
    for name, ann in func.__annotations__.items():
        parts.append((name, ("type", ann) if type(ann) is type and ann.__module__ == "builtins" else _atom(ann)))
    parts.extend(_global(g.get(n, _MISSING)) for n in names)
    return None if any(p is _MISSING for p in parts) else tuple(parts)


class FunctionCache:
    """
    The pickled function and the job key its workers hold it under, per function code.

    :param size: entries kept (least recently used dropped first)
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._lock = threading.Lock()  # not held while pickling: user code may run then
        self._entries: "OrderedDict[Any, Tuple[Tuple[Any, ...], str, bytes]]" = OrderedDict()

    def get(self, func: Callable[..., Any], new_key: Callable[[], str]) -> Tuple[str, bytes]:
        """
        The key and bytes to ship ``func`` with: a cached pair when its fingerprint matches, else a
        fresh pickle under ``new_key()`` (cached when the function qualifies).

        :param func: the job's function
        :param new_key: makes the key of a new function (the job's own)
        """
        fp = fingerprint(func)
        if fp is None:
            return new_key(), cloudpickle.dumps(func)
        slot = (func.__code__, fp[0])
        with self._lock:
            hit = self._entries.get(slot)
            if hit is not None and hit[0] == fp:
                self._entries.move_to_end(slot)
                return hit[1], hit[2]
        key, data = new_key(), cloudpickle.dumps(func)
        with self._lock:
            self._entries[slot] = (fp, key, data)
            self._entries.move_to_end(slot)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return key, data
