"""A list shared by every process (java.util.List semantics, Python list operators)."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, List, Optional

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicList"]


@proxy_class("AtomicList")
class AtomicList(SharedObject):
    """
    A shared list of wire values.

    :param key: the object's key
    :param initial: initial content if the object does not exist yet
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, initial: Optional[Iterable[Any]] = None, **options: Any) -> None:
        super().__init__(key, () if initial is None else (list(initial),), **options)

    def add(self, value: Any) -> bool:
        """Appends ``value``. :return: True."""
        return bool(self._invoke("add", value))

    def append(self, value: Any) -> None:
        """``list.append``."""
        self.add(value)

    def insert(self, i: int, value: Any) -> None:
        """:param i: position. :param value: the value inserted there."""
        self._invoke("insert", i, value)

    def add_all(self, values: Iterable[Any]) -> bool:
        """Appends every value. :return: whether the list changed."""
        return bool(self._invoke("addAll", list(values)))

    def extend(self, values: Iterable[Any]) -> None:
        """``list.extend``."""
        self.add_all(values)

    def insert_all(self, i: int, values: Iterable[Any]) -> bool:
        """Inserts every value at position ``i`` (Java's ``addAll(int, Collection)``). :return: whether the list changed."""
        return bool(self._invoke("insertAll", i, list(values)))

    def remove_all(self, values: Iterable[Any]) -> bool:
        """Removes every element equal to one of ``values``. :return: whether the list changed."""
        return bool(self._invoke("removeAll", list(values)))

    def retain_all(self, values: Iterable[Any]) -> bool:
        """Keeps only the elements equal to one of ``values``. :return: whether the list changed."""
        return bool(self._invoke("retainAll", list(values)))

    def contains_all(self, values: Iterable[Any]) -> bool:
        """:return: whether every one of ``values`` is in the list."""
        return bool(self._invoke("containsAll", list(values)))

    def get(self, i: int) -> Any:
        """:param i: index. :return: the value."""
        return self._invoke("get", i)

    __getitem__ = get

    def set(self, i: int, value: Any) -> Any:
        """:param i: index. :param value: the new value. :return: the previous value."""
        return self._invoke("set", i, value)

    def __setitem__(self, i: int, value: Any) -> None:
        self.set(i, value)

    def remove(self, i: int) -> Any:
        """Removes by index (Java's ``remove(int)``). :return: the value removed."""
        return self._invoke("remove", i)

    def pop(self, i: int = -1) -> Any:
        """``list.pop``: removes and returns the value at ``i`` (default the last)."""
        return self.remove(i if i >= 0 else self.size() + i)

    def remove_value(self, value: Any) -> bool:
        """Removes the first occurrence of ``value``. :return: whether it was there."""
        return bool(self._invoke("removeValue", value))

    def size(self) -> int:
        """:return: the number of values."""
        return int(self._invoke("size"))

    __len__ = size

    def is_empty(self) -> bool:
        """:return: whether the list is empty."""
        return bool(self._invoke("isEmpty"))

    def clear(self) -> None:
        """Removes every value."""
        self._invoke("clear")

    def index_of(self, value: Any) -> int:
        """:return: index of the first occurrence, or -1."""
        return int(self._invoke("indexOf", value))

    def last_index_of(self, value: Any) -> int:
        """:return: index of the last occurrence, or -1."""
        return int(self._invoke("lastIndexOf", value))

    def contains(self, value: Any) -> bool:
        """:return: whether ``value`` is in the list."""
        return bool(self._invoke("contains", value))

    __contains__ = contains

    def to_array(self) -> List[Any]:
        """:return: every value, in order."""
        return list(self._invoke("toArray"))

    to_list = to_array

    def __iter__(self) -> Iterator[Any]:
        return iter(self.to_array())

    def sub_list(self, start: int, stop: int) -> List[Any]:
        """:return: the values from ``start`` (inclusive) to ``stop`` (exclusive)."""
        return list(self._invoke("subList", start, stop))
