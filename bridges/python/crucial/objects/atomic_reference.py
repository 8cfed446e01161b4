"""Any wire value shared by every process (java.util.concurrent.atomic.AtomicReference)."""
from __future__ import annotations

from typing import Any

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicReference"]


@proxy_class("AtomicReference")
class AtomicReference(SharedObject):
    """
    A shared value: anything the wire carries (None, bool, numbers, str, bytes, lists, dicts, numpy
    arrays, Arrow tables, references to other shared objects). ``compare_and_set`` compares by value.

    :param key: the object's key
    :param initial: initial value if the object does not exist yet (default None)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Any = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else (initial,), **options)

    def get(self) -> Any:
        """:return: the current value."""
        return self._invoke("get")

    def set(self, value: Any) -> None:
        """:param value: the new value."""
        self._invoke("set", value)

    def get_and_set(self, value: Any) -> Any:
        """:param value: the new value. :return: the previous value."""
        return self._invoke("getAndSet", value)

    def compare_and_set(self, expect: Any, update: Any) -> bool:
        """:param expect: the value expected. :param update: the value set if it matches. :return: whether it was set."""
        return bool(self._invoke("compareAndSet", expect, update))
