"""
One attempt of a task on a worker: delivering it (replacing a worker found dead first) and reading
its outcome, which finishes the task or queues it for a retry. Part of :class:`~crucial.worker.pool.WorkerPool`.
"""
from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import deque
from typing import Any, Dict, Optional

from ..errors import TaskFailedError, TimeoutError
from .process import _Process
from .task import RemoteTraceback, Task

# The pool's log lines keep one logger name, whichever of its modules writes them.
logger = logging.getLogger("crucial.worker.pool")


class _Attempts:
    """The pool's delivery of a task to a worker process and its reading of the outcome."""

    # The pool's state (set by WorkerPool.__init__), shared by all its parts under its lock.
    _queue: "deque[Task]"
    _lock: threading.Lock
    _closed: bool
    _pids: Dict[int, int]

    def _spawn(self, slot: int) -> Optional[_Process]:
        """A new worker process for ``slot``, or None if it could not start (logged unless shutting down)."""
        try:
            proc = _Process()
        except Exception as err:
            if not self._closed:
                logger.error("worker slot %d: a worker process could not start: %r", slot, err)
            self._pids.pop(slot, None)
            return None
        self._pids[slot] = proc.pid
        return proc

    def _deliver(self, slot: int, proc: Optional[_Process], task: Task) -> Optional[_Process]:
        """
        Sends ``task`` to a live worker, replacing one found dead; returns the worker that has it, or
        None when no worker could take it (the task is then failed). A task not delivered never ran:
        it spends no attempt.
        """
        for _ in range(3):
            if proc is not None and not proc.alive():
                logger.warning("%sworker %d exited with code %s while idle; starting another for call %s",
                               task.log_prefix(), proc.pid, proc.popen.returncode, task.call_id)
                proc.kill()
                proc = None
            if proc is None:
                proc = self._spawn(slot)
                if proc is None:
                    break
            try:
                proc.send(proc.message(task))
            except OSError:  # died after the check: the task did not reach it
                logger.warning("%sworker %d died before it received call %s; starting another", task.log_prefix(), proc.pid, task.call_id)
                proc.kill()
                proc = None
                continue
            proc.sent(task)
            task.attempts += 1
            if task.on_start:
                task.on_start()
            return proc
        self._finish(task, False, TaskFailedError(f"no worker process could be started for call {task.call_id}"),
                     {"worker_start_tstamp": time.time(), "worker_end_tstamp": time.time()}, None)
        return None

    def _await_reply(self, proc: _Process, task: Task) -> Optional[_Process]:
        """Waits for the outcome of the attempt ``proc`` is running; returns the process to keep using (None if it had to go)."""
        start = time.time()
        try:
            if task.timeout is not None and not proc.conn.poll(task.timeout):
                proc.kill()
                logger.debug("%scall %s timed out after %s s; its worker %d was stopped", task.log_prefix(), task.call_id, task.timeout, proc.pid)
                return self._failed(task, TimeoutError(f"call {task.call_id} did not finish within {task.timeout} s (its worker was stopped)"), None, start)
            reply = pickle.loads(proc.reader.recv())
        except (EOFError, OSError):
            code = proc.popen.wait()
            logger.debug("%sworker %d exited with code %s running call %s", task.log_prefix(), proc.pid, code, task.call_id)
            err = TaskFailedError(f"the worker process running call {task.call_id} exited with code {code}")
            return self._failed(task, err, None, start)
        if reply[0] == "ok":
            _, _, out, stats = reply
            try:
                value = pickle.loads(out)
            except Exception as err:
                return self._finish(task, False, TaskFailedError(f"the result of call {task.call_id} cannot be unpickled here: {err}"), stats, proc)
            return self._finish(task, True, value, stats, proc)
        _, _, exc_bytes, name, message, tb, stats = reply
        exc: Optional[BaseException] = None
        if exc_bytes is not None:
            try:
                exc = pickle.loads(exc_bytes)
            except Exception:
                exc = None
        if not isinstance(exc, BaseException):
            exc = TaskFailedError(f"{name}: {message}")
            exc.remote_name = name  # type: ignore[attr-defined]
            exc.remote_stack = tb  # type: ignore[attr-defined]
        exc.__cause__ = RemoteTraceback(tb)
        if task.attempts <= task.retries and not self._closed:
            with self._lock:  # this slot's thread takes it (or another's) when it loops
                self._queue.append(task)
            return proc
        return self._finish(task, False, exc, stats, proc)

    def _failed(self, task: Task, err: BaseException, stats: Optional[Dict[str, Any]], start: float) -> None:
        if task.attempts <= task.retries and not self._closed:
            with self._lock:
                self._queue.append(task)
        else:
            self._finish(task, False, err, stats or {"worker_start_tstamp": start, "worker_end_tstamp": time.time()}, None)
        return None

    def _finish(self, task: Task, ok: bool, value: Any, stats: Dict[str, Any], proc: Optional[_Process]) -> Optional[_Process]:
        try:
            task.on_done(ok, value, dict(stats, attempts=task.attempts))
        except Exception:  # a callback's failure must not take the worker slot down
            pass
        return proc
