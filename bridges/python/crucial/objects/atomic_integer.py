"""The integer operations AtomicInt and AtomicLong share (java.util.concurrent.atomic's get-and-X family)."""
from __future__ import annotations

from typing import Any, Optional

from .shared_object import SharedObject

__all__ = ["AtomicInteger"]


class AtomicInteger(SharedObject):
    """
    Base of the shared integers; the node decides the width (32 bits for ``AtomicInt``, 64 for
    ``AtomicLong``) and wraps on overflow as Java does.

    :param key: the object's key
    :param initial: initial value if the object does not exist yet (default 0)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[int] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else (initial,), **options)

    def get(self) -> int:
        """:return: the current value."""
        return int(self._invoke("get"))

    def set(self, value: int) -> None:
        """:param value: the new value."""
        self._invoke("set", value)

    def get_and_set(self, value: int) -> int:
        """:param value: the new value. :return: the previous value."""
        return int(self._invoke("getAndSet", value))

    def add_and_get(self, delta: int) -> int:
        """:param delta: amount to add. :return: the updated value."""
        return int(self._invoke("addAndGet", delta))

    def get_and_add(self, delta: int) -> int:
        """:param delta: amount to add. :return: the previous value."""
        return int(self._invoke("getAndAdd", delta))

    def increment_and_get(self) -> int:
        """:return: the value after adding one."""
        return int(self._invoke("incrementAndGet"))

    def decrement_and_get(self) -> int:
        """:return: the value after subtracting one."""
        return int(self._invoke("decrementAndGet"))

    def get_and_increment(self) -> int:
        """:return: the value before adding one."""
        return int(self._invoke("getAndIncrement"))

    def get_and_decrement(self) -> int:
        """:return: the value before subtracting one."""
        return int(self._invoke("getAndDecrement"))

    def compare_and_set(self, expect: int, update: int) -> bool:
        """:param expect: the value expected. :param update: the value set if it matches. :return: whether it was set."""
        return bool(self._invoke("compareAndSet", expect, update))
