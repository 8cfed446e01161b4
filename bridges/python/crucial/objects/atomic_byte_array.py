"""A fixed-length byte array shared by every process, with atomic per-element operations."""
from __future__ import annotations

from typing import Any, Optional, Union

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicByteArray"]


@proxy_class("AtomicByteArray")
class AtomicByteArray(SharedObject):
    """
    Shared bytes (unsigned 0..255; -128..255 accepted and stored modulo 256; arithmetic wraps).

    :param key: the object's key
    :param init: the length (zero-filled) or the initial content, if the object does not exist yet
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, init: Optional[Union[int, bytes]] = None, **options: Any) -> None:
        super().__init__(key, () if init is None else (init,), **options)

    def length(self) -> int:
        """:return: the number of bytes."""
        return int(self._invoke("length"))

    __len__ = length

    def get(self, i: int) -> int:
        """:param i: index. :return: the byte."""
        return int(self._invoke("get", i))

    __getitem__ = get

    def set(self, i: int, value: int) -> None:
        """:param i: index. :param value: the byte."""
        self._invoke("set", i, value)

    __setitem__ = set

    def get_and_set(self, i: int, value: int) -> int:
        """:param i: index. :param value: the byte. :return: the previous byte."""
        return int(self._invoke("getAndSet", i, value))

    def get_and_add(self, i: int, delta: int) -> int:
        """:param i: index. :param delta: amount to add. :return: the previous byte."""
        return int(self._invoke("getAndAdd", i, delta))

    def add_and_get(self, i: int, delta: int) -> int:
        """:param i: index. :param delta: amount to add. :return: the updated byte."""
        return int(self._invoke("addAndGet", i, delta))

    def increment_and_get(self, i: int) -> int:
        """:param i: index. :return: the byte after adding one (255 wraps to 0)."""
        return int(self._invoke("incrementAndGet", i))

    def decrement_and_get(self, i: int) -> int:
        """:param i: index. :return: the byte after subtracting one (0 wraps to 255)."""
        return int(self._invoke("decrementAndGet", i))

    def get_and_increment(self, i: int) -> int:
        """:param i: index. :return: the byte before adding one."""
        return int(self._invoke("getAndIncrement", i))

    def get_and_decrement(self, i: int) -> int:
        """:param i: index. :return: the byte before subtracting one."""
        return int(self._invoke("getAndDecrement", i))

    def compare_and_set(self, i: int, expect: int, update: int) -> bool:
        """:param i: index. :param expect: byte expected. :param update: byte set if it matches. :return: whether it was set."""
        return bool(self._invoke("compareAndSet", i, expect, update))

    def get_all(self) -> bytes:
        """:return: every byte."""
        return bytes(self._invoke("getAll"))

    def set_all(self, value: bytes) -> None:
        """:param value: the new content (same length)."""
        self._invoke("setAll", bytes(value))
