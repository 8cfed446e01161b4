"""The shell's IPC counter: a count exact up to 2**53-1."""
from __future__ import annotations

from typing import Any, Optional

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicCounter"]


@proxy_class("AtomicCounter")
class AtomicCounter(SharedObject):
    """
    A shared counter.

    :param key: the object's key
    :param initial: initial count if the object does not exist yet (default 0)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[int] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else (initial,), **options)

    def increment(self, by: int = 1) -> int:
        """:param by: amount to add. :return: the new count."""
        return int(self._invoke("increment", by))

    def decrement(self, by: int = 1) -> int:
        """:param by: amount to subtract. :return: the new count."""
        return int(self._invoke("decrement", by))

    def tally(self) -> int:
        """:return: the current count."""
        return int(self._invoke("tally"))

    def reset(self) -> int:
        """Sets the count to zero. :return: the count it had."""
        return int(self._invoke("reset"))
