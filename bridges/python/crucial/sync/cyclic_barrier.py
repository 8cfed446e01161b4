"""
A barrier on the DSO node with java.util.concurrent.CyclicBarrier semantics; also answers the
``threading.Barrier`` API (``wait``, ``parties``, ``n_waiting``, ``broken``, ``reset``, ``abort``).
"""
from __future__ import annotations

from typing import Any, Optional

from ..objects.shared_object import SharedObject, proxy_class

__all__ = ["CyclicBarrier", "Barrier"]


def _ms(timeout: Optional[float]) -> Optional[float]:
    return None if timeout is None else max(0.0, float(timeout)) * 1000.0


@proxy_class("CyclicBarrier")
class CyclicBarrier(SharedObject):
    """
    Parties park on the node until the last one arrives. A timeout or a reset breaks the barrier for
    everyone waiting in that generation (:class:`~crucial.errors.BrokenBarrierError`).

    :param key: the object's key
    :param parties: number of parties (needed by whoever creates the barrier)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, parties: Optional[int] = None, **options: Any) -> None:
        super().__init__(key, () if parties is None else (parties,), **options)

    def await_(self, timeout: Optional[float] = None) -> int:
        """
        Waits until every party has called ``await_``.

        :param timeout: seconds before giving up (and breaking the barrier); None waits for ever
        :return: the arrival index: ``parties - 1`` for the first to arrive, 0 for the last
        :raises BrokenBarrierError: if the barrier is or gets broken
        :raises TimeoutError: if this party's timeout expired
        """
        ms = _ms(timeout)
        return int(self._invoke("await") if ms is None else self._invoke("await", ms))

    def wait(self, timeout: Optional[float] = None) -> int:
        """``threading.Barrier.wait``: same as :meth:`await_`."""
        return self.await_(timeout)

    def reset(self) -> None:
        """Breaks the barrier for the parties waiting now and makes it usable again."""
        self._invoke("reset")

    def abort(self) -> None:
        """``threading.Barrier.abort``: breaks the barrier (here the same as :meth:`reset`)."""
        self.reset()

    def is_broken(self) -> bool:
        """:return: whether the barrier is broken."""
        return bool(self._invoke("isBroken"))

    def get_parties(self) -> int:
        """:return: the number of parties."""
        return int(self._invoke("getParties"))

    def get_number_waiting(self) -> int:
        """:return: how many parties wait now."""
        return int(self._invoke("getNumberWaiting"))

    @property
    def broken(self) -> bool:
        """``threading.Barrier.broken``."""
        return self.is_broken()

    @property
    def parties(self) -> int:
        """``threading.Barrier.parties``."""
        return self.get_parties()

    @property
    def n_waiting(self) -> int:
        """``threading.Barrier.n_waiting``."""
        return self.get_number_waiting()


Barrier = CyclicBarrier
