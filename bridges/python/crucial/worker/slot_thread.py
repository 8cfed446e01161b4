"""
A slot's thread: it keeps its worker process warm, runs queued tasks on it, and sleeps on the
worker's pipe while idle, waking for work, for the reply of a task a submitter handed that worker,
or for the worker's exit. Part of :class:`~crucial.worker.pool.WorkerPool`.
"""
from __future__ import annotations

import logging
import select
import time
from typing import Callable

from .attempt import _Attempts
from .slot import CLAIM_ACTIVE_S, CLAIM_TICK_MS, CLAIMED, _Slot

# The pool's log lines keep one logger name, whichever of its modules writes them.
logger = logging.getLogger("crucial.worker.pool")


class _SlotThreads(_Attempts):
    """The loop each slot's thread runs."""

    _watch: Callable[[_Slot], None]  # WorkerPool's: arms a slot's epoll on its worker's pipe (crucial.worker.slot.watch)
    _unclaim: Callable[[_Slot], None]  # WorkerPool's: gives a claimed reply back to the slot's thread (under the lock)
    _reads: Callable[[int, bool], None]  # WorkerPool's: records whether a thread reads the replies it claims

    def _serve(self, slot: _Slot) -> None:
        try:
            slot.proc = self._spawn(slot.index)  # warm: the first task finds it started
            while True:
                with self._lock:
                    # A caller reads its worker's reply, or a hand-off is under way or unread: take nothing, sleep.
                    busy = slot.reader is not None or slot.handoff is not None or not slot.ready.is_set()
                    task = self._queue.popleft() if self._queue and not busy else None
                    if task is None and not busy:
                        if self._closed:
                            return
                        slot.idle = True
                if task is not None:
                    if task.cancelled:
                        continue
                    slot.proc = self._deliver(slot.index, slot.proc, task)
                    if slot.proc is not None:
                        slot.proc = self._await_reply(slot.proc, task)
                    continue
                self._idle(slot)
        finally:
            self._pids.pop(slot.index, None)
            if slot.proc is not None:
                slot.proc.close()
            slot.wake_r.close()
            slot.wake_w.close()
            if slot.epoll is not None:
                slot.epoll.close()

    def _idle(self, slot: _Slot) -> None:
        """Sleeps until there is work, a submitter's task is answered, or the idle worker exits."""
        if slot.epoll is None:
            watch = [slot.wake_r] + ([slot.proc.conn] if slot.proc is not None else [])
            readable = select.select(watch, [], [])[0]
            closed = slot.proc is not None and slot.proc.conn in readable
        else:
            with self._lock:
                self._watch(slot)
                # While a submitter may claim a reply (see WorkerPool.submit), sleep in ticks: a claim
                # still unread after a whole tick is given up here, and this thread reads that reply.
                slot.timed = timed = slot.reader == CLAIMED or time.monotonic() - slot.last_claim < CLAIM_ACTIVE_S
            woke = slot.epoll.poll(CLAIM_TICK_MS / 1000 if timed else -1)
            closed = None  # asked below: a reader may have taken the reply meanwhile
            if not woke:
                with self._lock:
                    if slot.reader == CLAIMED and slot.claims == slot.seen_claims:
                        self._unclaim(slot)
                        self._reads(slot.claimer, False)
                    slot.seen_claims = slot.claims
        slot.drain()
        with self._lock:
            if slot.reader is not None:  # a caller reads the reply (and wakes this thread if it must)
                return
            taken = not slot.idle
            slot.idle = False
        if taken:  # a submitter took this slot (and woke it), or handed its worker a task
            while True:
                slot.ready.wait()
                with self._lock:
                    if slot.reader is not None:
                        return
                    if slot.ready.is_set():  # else a caller read that reply and the next hand-off is under way
                        task, slot.handoff = slot.handoff, None
                        break
            if task is not None and slot.proc is not None:
                slot.proc = self._await_reply(slot.proc, task)
            return
        proc = slot.proc
        if closed is None:
            closed = proc is not None and bool(select.select([proc.conn], [], [], 0)[0])
        if proc is not None and closed:
            # An idle worker says nothing: its pipe is readable because it closed (the worker exited).
            # Replaced when the next task comes, as a worker found dead then would be.
            proc.kill()
            logger.warning("worker %d exited with code %s while idle; another starts with the next task", proc.pid, proc.popen.returncode)
            slot.proc = None
            self._pids.pop(slot.index, None)
