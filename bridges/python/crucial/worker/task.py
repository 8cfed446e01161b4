"""A task for the worker pool (:class:`Task`), and the remote traceback set as the cause of its exception."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

if TYPE_CHECKING:
    from .slot import _Slot

__all__ = ["RemoteTraceback", "Task"]


class RemoteTraceback(Exception):
    """The traceback of a task's exception in its worker process; set as the ``__cause__`` (as concurrent.futures does)."""

    def __init__(self, tb: str) -> None:
        super().__init__(tb)
        self.tb = tb

    def __str__(self) -> str:
        return f'\n"""\n{self.tb}"""'


class Task:
    """
    One function call to run on a worker.

    :param call_id: id of the call (for messages)
    :param fn_key: key of the function (one per job); the worker caches the function under it
    :param fn_bytes: the cloudpickled function
    :param data_bytes: the cloudpickled ``(args, kwargs)``
    :param on_done: called with ``(ok, value, stats)``: the result, or the exception to raise
    :param extra_env: environment variables for the call
    :param timeout: seconds the call may run before its worker is killed (None: no limit)
    :param retries: how many times to run it again after a crash, an exception or a timeout
    :param on_start: called when a worker takes the task
    :param executor_id: id of the executor that submitted it (in log lines)
    """

    __slots__ = ("call_id", "fn_key", "fn_bytes", "data_bytes", "on_done", "extra_env", "timeout", "retries", "on_start", "attempts",
                 "cancelled", "executor_id", "slot")

    def __init__(self, call_id: str, fn_key: str, fn_bytes: bytes, data_bytes: bytes, on_done: Callable[[bool, Any, Dict[str, Any]], None],
                 extra_env: Optional[Dict[str, str]] = None, timeout: Optional[float] = None, retries: int = 0,
                 on_start: Optional[Callable[[], None]] = None, executor_id: Optional[str] = None) -> None:
        self.call_id, self.fn_key, self.fn_bytes, self.data_bytes = call_id, fn_key, fn_bytes, data_bytes
        self.on_done, self.extra_env, self.timeout, self.retries, self.on_start = on_done, extra_env, timeout, retries, on_start
        self.executor_id = executor_id
        self.attempts = 0
        self.cancelled = False
        self.slot: Optional[_Slot] = None  # the slot whose worker a submitter handed it to (see WorkerPool.read_reply)

    def log_prefix(self) -> str:
        """``ExecutorID e | JobID j - `` as Lithops starts its log lines."""
        return f"ExecutorID {self.executor_id or '-'} | JobID {self.call_id.split('/')[0]} - "
