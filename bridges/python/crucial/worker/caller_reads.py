"""
The waiting thread reads its worker's reply (issue 13): a caller that submitted a task straight to
an idle worker reads that worker's pipe itself, and the slot's thread, asleep on its epoll, is
pointed away from the pipe without being woken. Part of :class:`~crucial.worker.pool.WorkerPool`.
"""
from __future__ import annotations

import select
import threading
import time
from typing import Optional

from ..errors import TaskFailedError
from .attempt import _Attempts
from .process import _Process
from .slot import _Slot, watch
from .task import Task


class _CallerReads(_Attempts):
    """The pool's reading of a hand-off's reply in the thread that waits for it."""

    # Arms or disarms a slot's epoll on its worker's pipe (crucial.worker.slot.watch); looked up on the
    # pool, so a test can observe it.
    _watch = staticmethod(watch)

    def read_reply(self, task: Task, timeout: Optional[float] = None) -> bool:
        """
        Reads the reply of ``task`` in the calling thread when a submitter handed it to an idle worker
        and no thread reads that reply yet: the caller is woken by the worker's reply rather than by
        the slot's thread, which leaves the pipe alone meanwhile and sleeps on (issue 13: one thread
        wake-up and hand-over less per task). The task's ``on_done`` then runs in this thread.

        :param task: a task submitted to this pool
        :param timeout: seconds to wait for the reply; then the slot's thread reads it as usual
        :return: whether this thread read the reply (the task finished, or was queued for a retry)
        """
        slot = task.slot
        if slot is None or slot.epoll is None:
            return False
        with self._lock:
            proc = slot.proc
            if slot.handoff is not task or slot.reader is not None or not slot.ready.is_set() or proc is None:
                return False
            slot.reader = threading.get_ident()
            self._watch(slot)
        reading = False
        try:
            if not select.select([proc.conn], [], [], timeout)[0]:
                self._release(slot, False, proc)
                return False
            reading = True
            kept = self._await_reply(proc, task)
            reading = False
        except BaseException:
            if reading:  # interrupted with the reply perhaps half read: the pipe is unusable
                proc.kill()
                self._finish(task, False, TaskFailedError(f"reading the reply of call {task.call_id} was interrupted; its worker was stopped"),
                             {"worker_start_tstamp": time.time(), "worker_end_tstamp": time.time()}, None)
                self._release(slot, True, None)
            else:
                self._release(slot, False, proc)
            raise
        self._release(slot, True, kept)
        return True

    def _release(self, slot: _Slot, read: bool, proc: Optional[_Process]) -> None:
        """Ends a caller's reading: the slot is idle again (its thread never woke), or its thread takes over."""
        wake = False
        with self._lock:
            slot.reader = None
            if read:
                slot.handoff = None
                slot.proc = proc
                if proc is not None and not self._queue and not self._closed:
                    slot.idle = True
                else:  # a retry queued, a worker to replace, or shutting down: the slot's thread sees to it
                    wake = True
            self._watch(slot)  # not read: its thread reads the reply when it comes, as for any hand-off
        if wake:
            slot.wake()
