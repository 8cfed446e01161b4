"""A sorted map shared by every process (java.util.TreeMap), with a top-k by value."""
from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple, Union

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicTreeMap"]

Key = Union[str, int, float]


def _pairs(v: Any) -> List[Tuple[Key, Any]]:
    return [(k, x) for k, x in v]


@proxy_class("AtomicTreeMap")
class AtomicTreeMap(SharedObject):
    """
    A shared sorted map: numbers before strings, numbers numerically, strings by UTF-16 code units.

    :param key: the object's key
    :param initial: initial content (a dict or pairs) if the object does not exist yet
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[Mapping[Key, Any]] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else ([[k, v] for k, v in dict(initial).items()],), **options)

    def get(self, key: Key) -> Any:
        """:return: the value, or None."""
        return self._invoke("get", key)

    def put(self, key: Key, value: Any) -> Any:
        """:return: the previous value or None."""
        return self._invoke("put", key, value)

    __setitem__ = put

    def remove(self, key: Key) -> Any:
        """:return: the value removed, or None."""
        return self._invoke("remove", key)

    def contains_key(self, key: Key) -> bool:
        """:return: whether the key is present."""
        return bool(self._invoke("containsKey", key))

    __contains__ = contains_key

    def size(self) -> int:
        """:return: number of entries."""
        return int(self._invoke("size"))

    __len__ = size

    def clear(self) -> None:
        """Removes every entry."""
        self._invoke("clear")

    def first_key(self) -> Optional[Key]:
        """:return: the smallest key, or None when empty."""
        return self._invoke("firstKey")

    def last_key(self) -> Optional[Key]:
        """:return: the largest key, or None when empty."""
        return self._invoke("lastKey")

    def keys(self) -> List[Key]:
        """:return: every key, ascending."""
        return list(self._invoke("keys"))

    def entries(self) -> List[Tuple[Key, Any]]:
        """:return: every ``(key, value)``, ascending by key."""
        return _pairs(self._invoke("entries"))

    items = entries

    def head_map(self, to_key: Key) -> List[Tuple[Key, Any]]:
        """:return: entries with keys strictly less than ``to_key``."""
        return _pairs(self._invoke("headMap", to_key))

    def tail_map(self, from_key: Key) -> List[Tuple[Key, Any]]:
        """:return: entries with keys greater than or equal to ``from_key``."""
        return _pairs(self._invoke("tailMap", from_key))

    def top(self, k: int) -> List[Tuple[Key, Any]]:
        """:return: the ``k`` entries with the largest values, largest first (ties: smaller key first)."""
        return _pairs(self._invoke("top", k))
