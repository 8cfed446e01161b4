"""A counting semaphore on the DSO node (java.util.concurrent.Semaphore; ``with sem:`` as threading.Semaphore)."""
from __future__ import annotations

from typing import Any, Optional

from ..objects.shared_object import SharedObject, proxy_class

__all__ = ["Semaphore"]


@proxy_class("Semaphore")
class Semaphore(SharedObject):
    """
    A shared semaphore: callers park on the node until permits are available, in FIFO order.
    ``release`` returns permits (as Java and ``threading``); :meth:`close` ends the proxy.

    :param key: the object's key
    :param permits: initial permits (needed by whoever creates it; may be negative)
    :param options: ``persistent``, ``force_new``, ``connection``
    """

    def __init__(self, key: str, permits: Optional[int] = None, **options: Any) -> None:
        super().__init__(key, () if permits is None else (permits,), **options)

    def acquire(self, permits: int = 1, timeout: Optional[float] = None) -> None:
        """
        Takes ``permits``, waiting until they are available.

        :param permits: how many
        :param timeout: seconds; None waits for ever
        :raises TimeoutError: if they did not become available in time
        """
        if timeout is None:
            self._invoke("acquire", permits)
        else:
            self._invoke("acquire", permits, max(0.0, float(timeout)) * 1000.0)

    def try_acquire(self, permits: int = 1, timeout: Optional[float] = None) -> bool:
        """
        Takes ``permits`` if available. Without a timeout it answers at once; with one it queues
        fairly and answers False on timeout.

        :return: whether the permits were taken
        """
        if timeout is None:
            return bool(self._invoke("tryAcquire", permits))
        return bool(self._invoke("tryAcquire", permits, max(0.0, float(timeout)) * 1000.0))

    def release(self, permits: int = 1) -> None:  # type: ignore[override]
        """:param permits: how many permits to return."""
        self._invoke("release", permits)

    def available_permits(self) -> int:
        """:return: permits available now."""
        return int(self._invoke("availablePermits"))

    def drain_permits(self) -> int:
        """Takes every available permit. :return: how many."""
        return int(self._invoke("drainPermits"))

    def get_queue_length(self) -> int:
        """:return: how many callers are parked."""
        return int(self._invoke("getQueueLength"))

    def __enter__(self) -> "Semaphore":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()
