"""
A map shared by every process, with ``merge``/``merge_all`` running a named function on the node
(``sum``, ``min``, ``max``, ``replace``, ``concat``): N workers aggregating into one map cost N messages.
"""
from __future__ import annotations

from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicMap", "MERGE_FUNCTIONS"]

#: The server-side functions ``merge`` may name.
MERGE_FUNCTIONS = ("sum", "min", "max", "replace", "concat")

Key = Union[str, int, float]

_MISSING = object()


@proxy_class("AtomicMap")
class AtomicMap(SharedObject):
    """
    A shared map from keys (str or numbers) to wire values (numpy vectors included: ``sum`` adds them
    elementwise on the node).

    :param key: the object's key
    :param initial: initial content (a dict or pairs) if the object does not exist yet
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[Mapping[Key, Any]] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else ([[k, v] for k, v in dict(initial).items()],), **options)

    def get(self, key: Key, default: Any = None) -> Any:
        """:param key: the key. :param default: returned if absent. :return: the value."""
        return self._invoke("get", key) if default is None else self._invoke("getOrDefault", key, default)

    def get_or_default(self, key: Key, default: Any) -> Any:
        """:return: the value, or ``default`` if absent."""
        return self._invoke("getOrDefault", key, default)

    def __getitem__(self, key: Key) -> Any:
        v = self._invoke("get", key)
        if v is None and not self.contains_key(key):
            raise KeyError(key)
        return v

    def put(self, key: Key, value: Any) -> Any:
        """:return: the previous value or None."""
        return self._invoke("put", key, value)

    def __setitem__(self, key: Key, value: Any) -> None:
        self.put(key, value)

    def put_all(self, m: Mapping[Key, Any]) -> None:
        """Puts every entry of ``m``, atomically."""
        self._invoke("putAll", [[k, v] for k, v in dict(m).items()])

    update = put_all

    def put_if_absent(self, key: Key, value: Any) -> Any:
        """:return: the current value if there was one (nothing put), else None."""
        return self._invoke("putIfAbsent", key, value)

    setdefault = put_if_absent

    def remove(self, key: Key, value: Any = _MISSING) -> Any:
        """
        Removes ``key``; with ``value`` (ConcurrentMap's ``remove(k, v)``), only if its value equals ``value``.

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

    def contains_value(self, value: Any) -> bool:
        """:return: whether some value equals ``value``."""
        return bool(self._invoke("containsValue", value))

    def pop(self, key: Key, default: Any = None) -> Any:
        """``dict.pop`` (None or ``default`` when absent)."""
        v = self.remove(key)
        return default if v is None else v

    def contains_key(self, key: Key) -> bool:
        """:return: whether the key is present."""
        return bool(self._invoke("containsKey", key))

    __contains__ = contains_key

    def size(self) -> int:
        """:return: number of entries."""
        return int(self._invoke("size"))

    __len__ = size

    def is_empty(self) -> bool:
        """:return: whether the map is empty."""
        return bool(self._invoke("isEmpty"))

    def clear(self) -> None:
        """Removes every entry."""
        self._invoke("clear")

    def keys(self) -> List[Key]:
        """:return: every key, in insertion order."""
        return list(self._invoke("keys"))

    def values(self) -> List[Any]:
        """:return: every value, in insertion order."""
        return list(self._invoke("values"))

    def entries(self) -> List[Tuple[Key, Any]]:
        """:return: every ``(key, value)``, in insertion order."""
        return [(k, v) for k, v in self._invoke("entries")]

    items = entries

    def to_dict(self) -> Dict[Key, Any]:
        """:return: a snapshot of the map."""
        return dict(self.entries())

    def __iter__(self) -> Iterator[Key]:
        return iter(self.keys())

    def merge(self, key: Key, value: Any, fn: str = "sum") -> Any:
        """
        ``java.util.Map#merge`` with a named server-side function: puts ``value`` if the key is
        absent, else ``fn(current, value)``.

        :param key: the key
        :param value: the value to merge in
        :param fn: one of :data:`MERGE_FUNCTIONS`
        :return: the new value
        """
        return self._invoke("merge", key, value, fn)

    def merge_all(self, m: Mapping[Key, Any], fn: str = "sum") -> int:
        """
        Merges every entry of ``m`` with the same function, atomically (all or nothing).

        :param m: the entries
        :param fn: one of :data:`MERGE_FUNCTIONS`
        :return: the map's size afterwards
        """
        return int(self._invoke("mergeAll", [[k, v] for k, v in dict(m).items()], fn))

