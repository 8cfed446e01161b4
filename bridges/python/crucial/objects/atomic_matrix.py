"""A dense float64 matrix shared by every process; rows travel as Arrow vectors and add on the node."""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np

from .shared_object import SharedObject, proxy_class

__all__ = ["AtomicMatrix"]


@proxy_class("AtomicMatrix")
class AtomicMatrix(SharedObject):
    """
    A shared rows x cols matrix of float64, row-major.

    :param key: the object's key
    :param rows: number of rows (needed by whoever creates it)
    :param cols: number of columns
    :param initial: initial content (anything numpy turns into rows*cols floats), zeros otherwise
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, rows: Optional[int] = None, cols: Optional[int] = None, initial: Any = None, **options: Any) -> None:
        init: Tuple[Any, ...] = ()
        if rows is not None:
            init = (rows, cols) if initial is None else (rows, cols, np.ascontiguousarray(initial, dtype=np.float64).reshape(-1))
        super().__init__(key, init, **options)

    def shape(self) -> Tuple[int, int]:
        """:return: ``(rows, cols)``."""
        r, c = self._invoke("shape")
        return int(r), int(c)

    def get(self, i: int, j: int) -> float:
        """:return: the cell (i, j)."""
        return float(self._invoke("get", i, j))

    def set(self, i: int, j: int, value: float) -> None:
        """Sets the cell (i, j)."""
        self._invoke("set", i, j, float(value))

    def add(self, i: int, j: int, delta: float) -> float:
        """Adds to the cell (i, j). :return: its new value."""
        return float(self._invoke("add", i, j, float(delta)))

    def get_row(self, i: int) -> np.ndarray:
        """:return: row ``i`` as a float64 vector."""
        return self._invoke("getRow", i)

    def set_row(self, i: int, values: Any) -> None:
        """Replaces row ``i``."""
        self._invoke("setRow", i, np.ascontiguousarray(values, dtype=np.float64))

    def add_to_row(self, i: int, values: Any) -> None:
        """Adds ``values`` elementwise to row ``i``, on the node."""
        self._invoke("addToRow", i, np.ascontiguousarray(values, dtype=np.float64))

    def to_array(self) -> np.ndarray:
        """:return: the whole matrix as a ``(rows, cols)`` numpy array."""
        flat = self._invoke("toArray")
        return np.asarray(flat).reshape(self.shape())

    to_numpy = to_array
