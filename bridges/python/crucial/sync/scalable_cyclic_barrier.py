"""
A resilient, poll-based cyclic barrier (the seed's ScalableCyclicBarrier), with the same protocol as
``core/sync/scalable-cyclic-barrier.ts``: ``arrive(party, generation)`` records an arrival at once
and parties poll ``generation()`` with bounded exponential backoff. No call is parked on the node,
and arrivals are idempotent per (party, generation), so a retried task re-arrives safely.
"""
from __future__ import annotations

import time
import uuid
from typing import Any, Optional, Union

from ..errors import IllegalStateError, InvalidOptionError, TimeoutError
from ..objects.shared_object import SharedObject, proxy_class

__all__ = ["ScalableCyclicBarrier"]


@proxy_class("ScalableCyclicBarrier")
class ScalableCyclicBarrier(SharedObject):
    """
    A cyclic barrier whose parties poll the node instead of parking a call there (safe to retry).

    :param key: the object's key
    :param parties: number of parties (needed by whoever creates it)
    :param party: stable id of this party (a re-run task must reuse it); default a random UUID
    :param generation: generation to resume at; default the barrier's current one at first await
    :param min_poll: first polling interval in seconds (default 0.001)
    :param max_poll: longest polling interval in seconds (default 0.05)
    :param options: ``persistent``, ``force_new``, ``connection``
    :raises InvalidOptionError: if the key is empty, ``min_poll``/``max_poll`` are not increasing positive
        numbers or ``generation`` is not a non-negative integer
    """

    def __init__(self, key: str, parties: Optional[int] = None, *, party: Optional[Union[str, int]] = None, generation: Optional[int] = None,
                 min_poll: float = 0.001, max_poll: float = 0.05, **options: Any) -> None:
        super().__init__(key, () if parties is None else (parties,), **options)
        if not (min_poll > 0 and max_poll >= min_poll):
            raise InvalidOptionError("options.min_poll must be > 0 and options.max_poll >= min_poll")
        if generation is not None and not (isinstance(generation, int) and generation >= 0):
            raise InvalidOptionError("options.generation must be a non-negative integer")
        self.party = party if party is not None else str(uuid.uuid4())
        self._round = generation
        self._min_poll, self._max_poll = min_poll, max_poll
        self._waiting = False

    def await_(self, timeout: Optional[float] = None) -> int:
        """
        Arrives and waits until every party has arrived at this generation.

        :param timeout: seconds; on timeout the arrival stays recorded and another ``await_`` resumes
        :return: the arrival index (parties-1 for the first, 0 for the last; -1 if a retried arrival is too old to tell)
        :raises IllegalStateError: if this proxy is already waiting in another thread
        :raises TimeoutError: if ``timeout`` passed before every party arrived
        """
        if self._waiting:
            raise IllegalStateError("this party is already waiting; use one proxy (party id) per waiting thread")
        self._waiting = True
        try:
            deadline = float("inf") if timeout is None else time.monotonic() + timeout
            if self._round is None:
                self._round = int(self._invoke("generation"))
            rnd = self._round
            arrival = self._invoke("arrive", self.party, rnd)
            gen, delay = int(arrival["generation"]), self._min_poll
            while gen <= rnd:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"ScalableCyclicBarrier.await timed out after {timeout} s")
                time.sleep(min(delay, left))
                delay = min(delay * 2, self._max_poll)
                gen = int(self._invoke("generation"))
            self._round = rnd + 1
            return int(arrival["index"])
        finally:
            self._waiting = False

    wait = await_

    def generation(self) -> int:
        """:return: how many times the barrier has tripped."""
        return int(self._invoke("generation"))

    def get_parties(self) -> int:
        """:return: the number of parties."""
        return int(self._invoke("getParties"))

    def get_number_waiting(self) -> int:
        """:return: parties arrived at the current generation."""
        return int(self._invoke("getNumberWaiting"))
