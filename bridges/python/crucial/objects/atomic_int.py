"""A 32-bit signed integer shared by every process, with java.util.concurrent.atomic.AtomicInteger semantics."""
from __future__ import annotations

from .atomic_integer import AtomicInteger
from .shared_object import proxy_class

__all__ = ["AtomicInt"]


@proxy_class("AtomicInt")
class AtomicInt(AtomicInteger):
    """
    A shared 32-bit signed integer (wraps on overflow, as Java's ``int``).

    :param key: the object's key
    :param initial: initial value if the object does not exist yet (default 0)
    :param options: ``persistent``, ``force_new``, ``connection``
    """
