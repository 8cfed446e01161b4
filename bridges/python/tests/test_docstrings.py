"""
Every public name of the package has a docstring, and a public function or method that raises an
exception itself says so with ``:raises Name:`` (the API reference, ``npm run docs``, is generated
from these docstrings by pdoc). Public means: in the ``__all__`` of ``crucial`` or of one of its
subpackages, followed into the modules those lists name (``crucial.errors``, ``crucial.system``).
"""
from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import textwrap
import types
from typing import Dict, Iterator, List, Set, Tuple

import crucial


def _public_modules() -> Dict[str, types.ModuleType]:
    """``crucial``, every subpackage with an ``__all__``, and the modules their ``__all__`` names."""
    found: Dict[str, types.ModuleType] = {"crucial": crucial}
    for info in pkgutil.walk_packages(crucial.__path__, "crucial."):
        if info.ispkg:
            mod = importlib.import_module(info.name)
            if hasattr(mod, "__all__"):
                found[info.name] = mod
    for mod in list(found.values()):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if isinstance(obj, types.ModuleType):
                found[obj.__name__] = obj
    return found


def _ours(obj: object) -> bool:
    return getattr(obj, "__module__", "").split(".")[0] == "crucial"


def _public_api() -> Iterator[Tuple[str, object, object]]:
    """
    (name, object, owning class or None) for each public function, class and method. A name is where the
    object is defined (``crucial.objects.atomic_integer.AtomicInteger.get``), so an inherited method is
    reported once, at the class that defines it.
    """
    seen: Set[str] = set()
    for mod_name, mod in sorted(_public_modules().items()):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or not _ours(obj):
                continue
            items = [(f"{obj.__module__}.{obj.__qualname__}", obj, None)]
            if inspect.isclass(obj):
                items += [(f"{owner.__module__}.{owner.__qualname__}.{attr}", member, owner) for attr, member, owner in _members(obj)]
            for item in items:
                if item[0] not in seen:
                    seen.add(item[0])
                    yield item


def _members(cls: type) -> Iterator[Tuple[str, object, type]]:
    """The public methods and properties a class defines or inherits from a crucial class, and __init__."""
    for klass in cls.__mro__:
        if not _ours(klass):
            continue
        for attr, raw in vars(klass).items():
            if attr.startswith("_") and attr != "__init__":
                continue
            if isinstance(raw, (staticmethod, classmethod)):
                raw = raw.__func__
            if isinstance(raw, property):
                raw = raw.fget
            if inspect.isfunction(raw) and _ours(raw):
                yield attr, raw, klass


def _raised_names(fn: object) -> List[str]:
    """The exceptions a function's own body raises (``raise X(...)``/``raise X``; a bare re-raise is not counted)."""
    try:
        src = textwrap.dedent(inspect.getsource(fn))  # type: ignore[arg-type]
    except (OSError, TypeError):
        return []
    tree = ast.parse(src)
    body = tree.body[0]
    names: List[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                continue  # a nested function raises when it is called, not when this one is
            if isinstance(child, ast.Raise) and child.exc is not None:
                exc = child.exc.func if isinstance(child.exc, ast.Call) else child.exc
                names.append(exc.attr if isinstance(exc, ast.Attribute) else exc.id if isinstance(exc, ast.Name) else "?")
            visit(child)

    visit(body)
    return names


def test_the_walk_finds_the_public_api():
    # An independent oracle for the walk: names a user reaches first, in each public module, where they are defined.
    names = {q for q, _, _ in _public_api()}
    for expected in ("crucial.objects.atomic_long.AtomicLong", "crucial.objects.atomic_integer.AtomicInteger.add_and_get",
                     "crucial.client.connection.Connection.call", "crucial.errors.BrokenBarrierError", "crucial.errors.error_from_data",
                     "crucial.system.ping", "crucial.lithops.executor.FunctionExecutor.map", "crucial.worker.pool.WorkerPool"):
        assert expected in names, expected


def test_the_raise_finder_sees_direct_raises_only():
    def f(x):
        if x:
            raise ValueError("x")
        try:
            pass
        except KeyError:
            raise

        def g():
            raise TypeError("nested")

        raise crucial.errors.TimeoutError("t")

    assert _raised_names(f) == ["ValueError", "TimeoutError"]


def test_every_public_class_function_and_method_has_a_docstring():
    missing = []
    for qual, obj, owner in _public_api():
        if qual.endswith(".__init__"):
            continue  # the class docstring documents the constructor
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(qual)
    assert not missing, "public names without a docstring:\n  " + "\n  ".join(missing)


def test_a_public_function_that_raises_says_what_it_raises():
    undocumented = []
    for qual, obj, owner in _public_api():
        raised = _raised_names(obj)
        if not raised:
            continue
        doc = obj.__doc__ or ""
        if qual.endswith(".__init__") and owner is not None:
            doc += owner.__doc__ or ""  # a constructor's raises may sit in the class docstring
        for name in raised:
            # A raise of a variable (``raise err``) names no class: any ``:raises`` line will do.
            ok = f":raises {name}" in doc if name[:1].isupper() else ":raises" in doc
            if not ok:
                undocumented.append(f"{qual} raises {name}")
    assert not undocumented, "missing ':raises Name:' in the docstring of:\n  " + "\n  ".join(sorted(set(undocumented)))
