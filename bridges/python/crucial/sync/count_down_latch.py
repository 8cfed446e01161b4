"""A count-down latch on the DSO node (java.util.concurrent.CountDownLatch)."""
from __future__ import annotations

from typing import Any, Optional

from ..objects.shared_object import SharedObject, proxy_class

__all__ = ["CountDownLatch"]


@proxy_class("CountDownLatch")
class CountDownLatch(SharedObject):
    """
    Parties wait on the node until the count reaches zero.

    :param key: the object's key
    :param count: initial count (needed by whoever creates it)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, count: Optional[int] = None, **options: Any) -> None:
        super().__init__(key, () if count is None else (count,), **options)

    def count_down(self) -> None:
        """Decrements the count; at zero every waiting party is released."""
        self._invoke("countDown")

    def get_count(self) -> int:
        """:return: the current count."""
        return int(self._invoke("getCount"))

    def await_(self, timeout: Optional[float] = None) -> bool:
        """
        Waits until the count is zero.

        :param timeout: seconds; None waits for ever
        :return: True when the count is zero; False if the timeout elapsed first (as Java)
        """
        if timeout is None:
            return bool(self._invoke("await"))
        return bool(self._invoke("await", max(0.0, float(timeout)) * 1000.0))

    wait = await_
