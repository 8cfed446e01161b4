"""
A sorted map shared by every process (java.util.TreeMap / NavigableMap), with a top-k by value.

Views (head_map, tail_map, sub_map, descending_map) are snapshots as lists of ``(key, value)``;
navigation answers None where Java returns null. Left out: comparator (one fixed order), the
navigable key-set views and compute* (they take lambdas; ``merge`` takes a named function).
"""
from __future__ import annotations

from typing import Any, List, Mapping, Optional, Tuple, Union

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicTreeMap"]

Key = Union[str, int, float]


_MISSING = object()


def _pairs(v: Any) -> List[Tuple[Key, Any]]:
    return [(k, x) for k, x in v]


def _pair(v: Any) -> Optional[Tuple[Key, Any]]:
    return None if v is None else (v[0], v[1])


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

    def get_or_default(self, key: Key, default: Any) -> Any:
        """:return: the value, or ``default`` if absent."""
        return self._invoke("getOrDefault", key, default)

    def put_all(self, m: Mapping[Key, Any]) -> None:
        """Puts every entry of ``m``, atomically (a bad key refuses them all)."""
        self._invoke("putAll", [[k, v] for k, v in dict(m).items()])

    update = put_all

    def put_if_absent(self, key: Key, value: Any) -> Any:
        """:return: the current value if there was one (nothing put), else None."""
        return self._invoke("putIfAbsent", key, value)

    def remove(self, key: Key, value: Any = _MISSING) -> Any:
        """
        Removes ``key``; with ``value``, only if its value equals ``value``.

        :return: the value removed or None; with ``value``, whether it was removed
        """
        if value is _MISSING:
            return self._invoke("remove", key)
        return bool(self._invoke("remove", key, value))

    def replace(self, key: Key, value: Any, update: Any = _MISSING) -> Any:
        """
        ``replace(key, value)``: sets the value only if ``key`` is present. ``replace(key, expect,
        update)``: only if the current value equals ``expect``.

        :return: the previous value or None; with ``update``, whether it was replaced
        """
        if update is _MISSING:
            return self._invoke("replace", key, value)
        return bool(self._invoke("replace", key, value, update))

    def merge(self, key: Key, value: Any, fn: str = "sum") -> Any:
        """
        Puts ``value`` if ``key`` is absent, else ``fn(current, value)``, on the node.

        :param fn: one of ``sum``, ``min``, ``max``, ``replace``, ``concat``
        :return: the new value
        """
        return self._invoke("merge", key, value, fn)

    def contains_value(self, value: Any) -> bool:
        """:return: whether some value equals ``value``."""
        return bool(self._invoke("containsValue", value))

    def is_empty(self) -> bool:
        """:return: whether the map is empty."""
        return bool(self._invoke("isEmpty"))

    def values(self) -> List[Any]:
        """:return: every value, ascending by key."""
        return list(self._invoke("values"))

    def first_entry(self) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the smallest key, or None."""
        return _pair(self._invoke("firstEntry"))

    def last_entry(self) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the largest key, or None."""
        return _pair(self._invoke("lastEntry"))

    def poll_first_entry(self) -> Optional[Tuple[Key, Any]]:
        """Removes the entry with the smallest key. :return: it, or None when empty."""
        return _pair(self._invoke("pollFirstEntry"))

    def poll_last_entry(self) -> Optional[Tuple[Key, Any]]:
        """Removes the entry with the largest key. :return: it, or None when empty."""
        return _pair(self._invoke("pollLastEntry"))

    def floor_key(self, key: Key) -> Optional[Key]:
        """:return: the greatest key <= ``key``, or None."""
        return self._invoke("floorKey", key)

    def ceiling_key(self, key: Key) -> Optional[Key]:
        """:return: the least key >= ``key``, or None."""
        return self._invoke("ceilingKey", key)

    def lower_key(self, key: Key) -> Optional[Key]:
        """:return: the greatest key < ``key``, or None."""
        return self._invoke("lowerKey", key)

    def higher_key(self, key: Key) -> Optional[Key]:
        """:return: the least key > ``key``, or None."""
        return self._invoke("higherKey", key)

    def floor_entry(self, key: Key) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the greatest key <= ``key``, or None."""
        return _pair(self._invoke("floorEntry", key))

    def ceiling_entry(self, key: Key) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the least key >= ``key``, or None."""
        return _pair(self._invoke("ceilingEntry", key))

    def lower_entry(self, key: Key) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the greatest key < ``key``, or None."""
        return _pair(self._invoke("lowerEntry", key))

    def higher_entry(self, key: Key) -> Optional[Tuple[Key, Any]]:
        """:return: the entry with the least key > ``key``, or None."""
        return _pair(self._invoke("higherEntry", key))

    def descending_keys(self) -> List[Key]:
        """:return: every key, descending."""
        return list(self._invoke("descendingKeys"))

    def descending_map(self) -> List[Tuple[Key, Any]]:
        """:return: every ``(key, value)``, descending by key."""
        return _pairs(self._invoke("descendingMap"))

    def sub_map(self, from_key: Key, to_key: Key, from_inclusive: bool = True, to_inclusive: bool = False) -> List[Tuple[Key, Any]]:
        """
        :param from_key: lower bound (inclusive by default)
        :param to_key: upper bound (exclusive by default); before ``from_key`` is ERR_BAD_ARGUMENT
        :return: the entries between the bounds, ascending
        """
        return _pairs(self._invoke("subMap", from_key, to_key, bool(from_inclusive), bool(to_inclusive)))

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

    def head_map(self, to_key: Key, inclusive: bool = False) -> List[Tuple[Key, Any]]:
        """:return: entries with keys strictly less than ``to_key`` (or equal, with ``inclusive``)."""
        return _pairs(self._invoke("headMap", to_key, bool(inclusive)))

    def tail_map(self, from_key: Key, inclusive: bool = True) -> List[Tuple[Key, Any]]:
        """:return: entries with keys greater than or equal to ``from_key`` (strictly greater without ``inclusive``)."""
        return _pairs(self._invoke("tailMap", from_key, bool(inclusive)))

    def top(self, k: int) -> List[Tuple[Key, Any]]:
        """:return: the ``k`` entries with the largest values, largest first (ties: smaller key first)."""
        return _pairs(self._invoke("top", k))
