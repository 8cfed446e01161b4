"""
A pool of warm Python worker processes (``python -m crucial.worker``), one parent thread per worker
reading its replies over a socketpair; a task for an idle worker is written to it by the submitting
thread, other tasks wait in a shared queue. Processes are spawned once and reused, a function is
shipped once per worker and job, so an empty task costs two pipe messages. A worker that
dies while running a task is replaced; its task is retried if it has retries left, else failed with
the exit code. A worker found dead before it is handed a task (killed while idle) is replaced first:
that task never ran, so it spends no attempt.

The parent alone decides which functions a worker keeps (at most ``MAX_FUNCTIONS``, least recently
used dropped first) and tells the worker what to drop, so the two never disagree. Every task also
carries the parent's ``CRUCIAL_DSO``: workers use the parent's node, whenever it was started.

Its parts: :mod:`.task` (what is submitted), :mod:`.process` (a worker process and what it is sent),
:mod:`.slot` (a worker, its thread's epoll and how a caller reading the reply disarms it),
:mod:`.slot_thread` (that thread's loop), :mod:`.attempt` (delivering a task and reading its outcome);
here, the public API, with :meth:`WorkerPool.read_reply` (the waiting thread reads the reply).
"""
from __future__ import annotations

import atexit
import os
import re
import select
import threading
import time
from collections import deque
from typing import Dict, List, Mapping, Optional

from ..errors import InvalidOptionError, RejectedError, TaskFailedError
from .process import MAX_FUNCTIONS
from .process import _Process as _Process  # bench/python/startup_phases.py times worker start-up through pool._Process
from .slot import CLAIMED, _Slot, watch
from .slot_thread import _SlotThreads
from .starvation import start_watch
from .task import RemoteTraceback, Task

__all__ = ["RemoteTraceback", "Task", "WorkerPool", "shared_pool", "MAX_FUNCTIONS"]


# Its parts are base classes (WorkerPool -> _SlotThreads -> _Attempts) sharing the pool's state, not
# objects it calls: a task takes the same method calls as when they were one class (no extra hop per task).
class WorkerPool(_SlotThreads):
    """
    Warm worker processes running :class:`Task` objects in parallel.

    A task submitted while a worker is idle is written to that worker's pipe by the submitting
    thread itself, and the slot's thread, asleep on that pipe, wakes with the reply: one thread
    switch less per task than waking the slot's thread to write it (issue 13). Other tasks wait in a
    queue that each slot's thread takes from when it finishes one.

    :param workers: number of worker processes (default: the number of cores)
    :raises InvalidOptionError: if ``workers`` is not a positive integer
    """

    def __init__(self, workers: Optional[int] = None) -> None:
        n = (os.cpu_count() or 1) if workers is None else workers
        if not isinstance(n, int) or n <= 0:
            raise InvalidOptionError("options.workers must be a positive integer")
        self._queue: "deque[Task]" = deque()
        self._slots: List[_Slot] = []
        self._threads: List[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False
        self._pids: Dict[int, int] = {}
        #: how many slots hold a CLAIMED reply (submit looks for the caller's older claims only when some do)
        self._claimed = 0
        #: per thread id: whether the last reply it claimed was read through read_reply (see _reads)
        self._readers: Dict[int, bool] = {}
        #: how long a caller watches its worker's pipe before sleeping in the read, while the machine is idle
        self._spin_ns = idle_spin_ns()
        #: the thread growing the pool while its workers wait on queued tasks (starvation.py); None while the queue is empty
        self._starvation_watch: Optional[threading.Thread] = None
        self.ensure(n)

    @property
    def size(self) -> int:
        """Number of worker processes."""
        return len(self._threads)

    @property
    def pids(self) -> List[int]:
        """Process ids of the live workers."""
        return [p for p in self._pids.values() if p]

    def ensure(self, workers: int) -> None:
        """
        Grows the pool to at least ``workers`` processes (tasks that wait on each other, such as
        parties of a barrier, need one process each).

        :param workers: the minimum number of processes
        """
        with self._lock:
            while len(self._threads) < workers:
                slot = _Slot(len(self._threads))
                t = threading.Thread(target=self._serve, args=(slot,), name=f"crucial-worker-{slot.index}", daemon=True)
                self._slots.append(slot)
                self._threads.append(t)
                t.start()

    def submit(self, task: Task) -> None:
        """
        Queues a task, or hands it to an idle worker at once.

        :param task: the task
        :raises RejectedError: if the pool was shut down
        """
        with self._lock:
            # Checked under the lock shutdown() sets it under: a task queued after the slot threads
            # were told to stop would never run, and its future never finish.
            if self._closed:
                raise RejectedError("the worker pool is shut down")
            # A task with a time limit goes through the slot's thread, which times its reply. No
            # waitpid per task (issue 13): an idle worker's exit wakes its slot's thread (its pipe
            # reads EOF), and a write to a worker that has just exited fails below (EPIPE), unspent.
            slot = None if task.timeout is not None else next(
                (s for s in self._slots if s.idle and s.proc is not None), None)
            me = threading.get_ident()
            if self._claimed:
                self._drop_claims(me)
            wake_claimed = False
            if slot is None:
                self._queue.append(task)
                idle = next((s for s in self._slots if s.idle), None)
                if idle is not None:
                    idle.idle = False
                elif self._starvation_watch is None:
                    self._starvation_watch = start_watch(self)
            else:
                slot.idle = False
                slot.handoff = None
                slot.ready.clear()
                if slot.epoll is not None and self._readers.get(me, True):
                    # The reply is kept for this thread's result() (read_reply) from before the worker can
                    # send it: armed, the pipe would wake the slot's thread whenever the worker answers
                    # before the caller gets to read_reply, which on a busy machine was most calls (issue 13).
                    slot.reader, slot.claimer = CLAIMED, me
                    slot.claims += 1
                    slot.last_claim = time.monotonic()
                    self._claimed += 1
                    self._watch(slot)
                    # A slot's thread asleep without a timeout would never give up a claim nobody reads.
                    wake_claimed = wake_claimed or not slot.timed
                else:  # the slot's thread reads this reply unless a caller claims it in read_reply: armed
                    self._watch(slot)
        if slot is None:
            if idle is not None:
                idle.wake()
            return
        proc = slot.proc
        try:
            msg = proc.message(task)
            task.attempts += 1
            if task.on_start:
                task.on_start()
            proc.send(msg)
            proc.sent(task)
            task.slot = slot
            slot.handoff = task
        except OSError:  # died after the check: the task never reached it and spends no attempt
            task.attempts -= 1
            with self._lock:
                self._unclaim(slot)
                self._queue.appendleft(task)
        finally:
            slot.ready.set()
        if wake_claimed:
            slot.wake()

    def _drop_claims(self, thread: int) -> None:
        """
        Gives up the claims ``thread`` made earlier (under the lock): a thread that submits again before it
        read an earlier reply (``map``, several ``call_async``) may never read it; the slots' threads do.
        """
        for s in self._slots:
            if s.reader == CLAIMED and s.claimer == thread:
                self._unclaim(s)
                self._reads(thread, False)

    def _reads(self, thread: int, reads: bool) -> None:
        """
        Records whether ``thread`` read the reply it claimed (under the lock). A thread that left one
        unread (a callback's thread, a ``map``) no longer claims: its replies are read by the slots'
        threads as before claims, until it reads one through ``read_reply`` again.
        """
        if len(self._readers) > 1024:  # thread ids of threads long gone
            self._readers.clear()
        self._readers[thread] = reads

    def _unclaim(self, slot: _Slot) -> None:
        """Ends a claim (under the lock): the slot's thread reads that reply when it comes, as for any hand-off."""
        if slot.reader == CLAIMED:
            slot.reader = None
            self._claimed -= 1
            self._watch(slot)

    def shutdown(self, wait: bool = True) -> None:
        """
        Stops the workers once the queued tasks are done.

        :param wait: wait for the worker processes to exit
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = list(self._threads)
            for s in self._slots:
                self._unclaim(s)
        for s in self._slots:
            s.wake()
        if wait:
            for t in threads:
                t.join(30)

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
            if slot.handoff is not task or not slot.ready.is_set() or proc is None:
                return False
            if slot.reader == CLAIMED:  # kept for a caller since the hand-off: the pipe is disarmed already
                self._claimed -= 1
                self._reads(slot.claimer, True)
            elif slot.reader is not None:
                return False
            slot.reader = threading.get_ident()
            if not self._readers.get(slot.reader, True):
                self._reads(slot.reader, True)
            self._watch(slot)  # disarms the pipe (no system call when the claim did already)
        reading = False
        try:
            if timeout is not None and not select.select([proc.conn], [], [], timeout)[0]:
                self._release(slot, False, proc)
                return False
            # Without a timeout, the reply's first bytes are waited for by the read itself (no select);
            # an interrupt during that wait has consumed nothing, as one during a select.
            if timeout is None and self._spin_ns and _machine_idle():
                _await_readable(proc.conn.fileno(), self._spin_ns)
            try:
                proc.reader.fill()
            except (EOFError, OSError):  # the worker is gone: _await_reply reads that and fails or retries the task
                pass
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
            # Not read: its thread reads the reply when it comes, as for any hand-off. Read and idle: the
            # pipe stays disarmed for the next claim (two epoll changes less per task); a disarmed pipe
            # still reports a hang-up, so an idle worker's exit wakes the slot's thread all the same.
            if not read or not slot.idle:
                self._watch(slot)
        if wake:
            slot.wake()


#: Default of how long a caller watches its worker's pipe before it sleeps in the read (``_await_readable``), µs.
_SPIN_US = 200
#: the syntax CRUCIAL_IDLE_SPIN_US takes on both sides (TS and Python): ASCII decimal, optional exponent
_SPIN_SYNTAX = re.compile(r"[ \t]*\+?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*")


def idle_spin_ns(env: Optional[Mapping[str, str]] = None) -> int:
    """
    The idle spin's length from ``CRUCIAL_IDLE_SPIN_US`` (µs; 0 turns it off), else 200 µs, in ns.

    :raises InvalidOptionError: on anything but a non-negative number
    """
    raw = (os.environ if env is None else env).get("CRUCIAL_IDLE_SPIN_US", "")
    if not raw.strip():
        return _SPIN_US * 1000
    # A decimal number only, as the TypeScript side reads it (float alone also took '1_000' and non-ASCII digits).
    us = float(raw) if _SPIN_SYNTAX.fullmatch(raw) else -1.0
    if not (0 <= us < float("inf")):
        raise InvalidOptionError(f"CRUCIAL_IDLE_SPIN_US must be a non-negative number of microseconds, got {raw!r}")
    return int(us * 1000)
_idle_checked = [-1e9, False]


def _machine_idle() -> bool:
    """Whether the machine looks idle: the 1-minute load average below the number of cores, read at most once a second."""
    now = time.monotonic()
    if now - _idle_checked[0] > 1.0:
        _idle_checked[0] = now
        _idle_checked[1] = os.getloadavg()[0] < (os.cpu_count() or 1)
    return bool(_idle_checked[1])


def _await_readable(fd: int, spin_ns: int) -> None:
    """
    Watches the pipe for up to ``spin_ns`` (``CRUCIAL_IDLE_SPIN_US``) before the caller sleeps in its read: on an idle machine a
    sleeping core halts, and waking it for the reply costs ~50 µs here (a VM without guest halt-polling),
    a quarter of an empty task's round trip (issue 13). Only while the machine is idle: under load the
    watching takes the core the worker needs (measured: 1.7x slower).
    """
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    deadline = time.perf_counter_ns() + spin_ns
    while not poll.poll(0) and time.perf_counter_ns() < deadline:
        pass


_shared: Optional[WorkerPool] = None
_shared_lock = threading.Lock()


def shared_pool(workers: Optional[int] = None) -> WorkerPool:
    """
    The process-wide pool every executor uses (created on first use, grown on demand, stopped at exit).

    :param workers: minimum number of worker processes
    """
    global _shared
    with _shared_lock:
        if _shared is None or _shared._closed:
            _shared = WorkerPool(workers or os.cpu_count() or 1)
        elif workers:
            _shared.ensure(workers)
        return _shared


@atexit.register
def _stop_shared() -> None:
    if _shared is not None:
        _shared.shutdown(wait=False)
