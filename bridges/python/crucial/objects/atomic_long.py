"""A 64-bit signed integer shared by every process, with java.util.concurrent.atomic.AtomicLong semantics."""
from __future__ import annotations

from .atomic_integer import AtomicInteger
from .shared_object import proxy_class

__all__ = ["AtomicLong"]


@proxy_class("AtomicLong")
class AtomicLong(AtomicInteger):
    """
    A shared 64-bit signed integer (wraps on overflow, as Java's ``long``).

    :param key: the object's key
    :param initial: initial value if the object does not exist yet (default 0)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def multiply(self, factor: int, times: int = 1) -> int:
        """
        Multiplies by ``factor``, ``times`` times, in one call executed on the node.

        :param factor: the factor
        :param times: how many multiplications
        :return: the updated value
        """
        return int(self._invoke("multiply", factor, times))
