"""A boolean shared by every process (java.util.concurrent.atomic.AtomicBoolean)."""
from __future__ import annotations

from typing import Any, Optional

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicBoolean"]


@proxy_class("AtomicBoolean")
class AtomicBoolean(SharedObject):
    """
    A shared boolean.

    :param key: the object's key
    :param initial: initial value if the object does not exist yet (default False)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[bool] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else (bool(initial),), **options)

    def get(self) -> bool:
        """:return: the current value."""
        return bool(self._invoke("get"))

    def set(self, value: bool) -> None:
        """:param value: the new value."""
        self._invoke("set", bool(value))

    def get_and_set(self, value: bool) -> bool:
        """:param value: the new value. :return: the previous value."""
        return bool(self._invoke("getAndSet", bool(value)))

    def compare_and_set(self, expect: bool, update: bool) -> bool:
        """:param expect: the value expected. :param update: the value set if it matches. :return: whether it was set."""
        return bool(self._invoke("compareAndSet", bool(expect), bool(update)))
