"""
The future of one call, with the states and methods of ``lithops.future.ResponseFuture`` (``status``,
``result``, ``done``, ``ready``, ``error``, ``success``, ``stats``...). Results arrive from the worker
pool in this process, so nothing is polled: waiting is a condition variable.
"""
from __future__ import annotations

import threading
import time
from _thread import allocate_lock
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..errors import TimeoutError

__all__ = ["ResponseFuture", "completion"]

#: Notified whenever any future completes, for a thread that sleeps on it (nothing in the package does:
#: :func:`crucial.lithops.wait.wait` uses callbacks), so it is notified only while someone waits.
completion = threading.Condition()


class _Latch:
    """
    Set once, waited on by any number of threads: ``threading.Event``'s ``is_set`` / ``set`` / ``wait``
    over one lock held until set (issue 13). An Event builds a Condition per future, and a waiter
    allocates a lock of its own and re-takes the Condition's on wake-up; here the completing thread
    releases one lock and each waiter takes and releases it.
    """

    __slots__ = ("_lock", "_set")

    def __init__(self) -> None:
        self._lock = allocate_lock()
        self._lock.acquire()
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        """Sets it (callers serialise: ``ResponseFuture._complete`` does so under its own lock)."""
        if not self._set:
            self._set = True
            self._lock.release()

    def wait(self, timeout: Optional[float] = None) -> bool:
        if self._set:
            return True
        if not self._lock.acquire(True, -1 if timeout is None else max(0.0, timeout)):
            return self._set
        self._lock.release()  # the next waiter, if any, takes it in turn
        return True


class ResponseFuture:
    """
    Result of one function activation.

    :param call_id: the call's id within its job (``"00000"``...)
    :param job_id: the job's id (``"A000"``, ``"M001"``, ``"R001"``...)
    :param executor_id: id of the executor that created it
    :param function_name: name of the function
    """

    class State:
        New = "New"
        Invoked = "Invoked"
        Running = "Running"
        Ready = "Ready"
        Success = "Success"
        Error = "Error"
        Done = "Done"
        Unknown = "Unknown"

    def __init__(self, call_id: str, job_id: str, executor_id: str, function_name: str, execution_timeout: Optional[float] = None) -> None:
        self.call_id = call_id
        self.job_id = job_id
        self.executor_id = executor_id
        self.job_key = f"{executor_id}-{job_id}"
        self.function_name = function_name
        self.execution_timeout = execution_timeout
        self.activation_id: Optional[str] = None
        self.stats: Dict[str, Any] = {"host_submit_tstamp": time.time()}
        self.logs = None
        self._produce_output = True
        self._read = False
        self._state = self.State.New
        self._exception: Tuple[Any, Any, Any] = (None, None, None)
        self._call_output: Any = None
        self._new_futures = None
        self._finished = _Latch()
        self._callbacks: List[Callable[["ResponseFuture"], None]] = []
        self._lock = threading.Lock()
        #: reads the call's reply in the waiting thread when its worker was handed the call directly
        self._read_reply: Optional[Callable[[Optional[float]], bool]] = None

    def __repr__(self) -> str:
        return f"<ResponseFuture {self.executor_id}/{self.job_id}/{self.call_id} {self._state}>"

    # -- states, as lithops ---------------------------------------------------------------------
    @property
    def new(self) -> bool:
        """Whether the call is created and not yet submitted to a worker."""
        return self._state == self.State.New

    @property
    def invoked(self) -> bool:
        """Whether the call is submitted and no worker has started it yet."""
        return self._state == self.State.Invoked

    @property
    def running(self) -> bool:
        """Whether a worker is running the call."""
        return self._state == self.State.Running

    @property
    def ready(self) -> bool:
        """Lithops's Ready state (a result stored, not yet fetched): never entered here, results come straight from the pool."""
        return self._state == self.State.Ready

    @property
    def error(self) -> bool:
        """Whether the function raised."""
        return self._state == self.State.Error

    @property
    def success(self) -> bool:
        """Lithops's meaning: the call finished with a value not read yet, or with an exception."""
        return self._state in (self.State.Success, self.State.Error)

    @property
    def done(self) -> bool:
        """Whether the call finished (with a result or an error)."""
        return self._state in (self.State.Done, self.State.Error, self.State.Unknown)

    @property
    def futures(self) -> bool:
        """Whether the call returned futures of its own (not supported: always False)."""
        return self._new_futures is not None

    def cancel(self) -> None:
        """
        Lithops's ``cancel``: dispatched calls cannot be cancelled.

        :raises NotImplementedError: always
        """
        raise NotImplementedError("Cannot cancel dispatched jobs")

    def cancelled(self) -> bool:
        """
        Lithops's ``cancelled``: dispatched calls cannot be cancelled.

        :raises NotImplementedError: always
        """
        raise NotImplementedError("Cannot cancel dispatched jobs")

    # -- completion -----------------------------------------------------------------------------
    def _set_invoked(self) -> None:
        self._state = self.State.Invoked

    def _set_running(self) -> None:
        if self._state in (self.State.New, self.State.Invoked):
            self._state = self.State.Running
            self.stats["host_start_tstamp"] = time.time()

    def _complete(self, ok: bool, value: Any, stats: Optional[Dict[str, Any]] = None) -> None:
        with self._lock:
            if self._finished.is_set():
                return
            if stats:
                self.stats.update(stats)
            self.stats["host_status_done_tstamp"] = time.time()
            if ok:
                self._call_output = value
                self._state = self.State.Success
            else:
                self._exception = (type(value), value, value.__traceback__)
                self._state = self.State.Error
            self._finished.set()
            self._read_reply = None  # drops the task it reads for (its pickled arguments)
            callbacks, self._callbacks = self._callbacks, []
        if completion._waiters:  # type: ignore[attr-defined]
            with completion:
                completion.notify_all()
        for cb in callbacks:
            cb(self)

    def _set_exception(self) -> None:
        self._read = True
        if not self.done:
            self._state = self.State.Unknown

    def _set_mapreduce(self) -> None:
        self._read = True
        self._produce_output = False
        if self.success and not self.error:
            self._state = self.State.Done

    def add_done_callback(self, fn: Callable[["ResponseFuture"], None]) -> None:
        """
        Calls ``fn(future)`` once the call has finished (at once if it has).

        :param fn: the callback
        """
        with self._lock:
            if not self._finished.is_set():
                self._callbacks.append(fn)
                return
        fn(self)

    def _wait(self, timeout: Optional[float]) -> None:
        read = self._read_reply
        if read is not None and not self._finished._set:
            # The waiting thread reads the worker's reply itself, woken by it (crucial.worker.pool.WorkerPool.read_reply).
            if timeout is None:
                read(None)
            else:
                end = time.monotonic() + timeout
                read(timeout)
                timeout = max(0.0, end - time.monotonic())
        if not self._finished.wait(timeout):
            raise TimeoutError(f"call {self.call_id} of job {self.job_id} did not finish within {timeout} s")

    def _raise_call_exception(self, throw_except: bool) -> None:
        if throw_except:
            _, exc, _ = self._exception
            raise exc

    # -- lithops API ----------------------------------------------------------------------------
    def status(self, throw_except: bool = True, internal_storage: Any = None, check_only: bool = False, wait_dur_sec: Any = None) -> Optional[Dict[str, Any]]:
        """
        The status of the call, waiting for it to finish.

        :param throw_except: re-raise the function's exception if it raised
        :param internal_storage: ignored (Lithops compatibility)
        :param check_only: return None at once if the call has not finished
        :param wait_dur_sec: ignored (nothing is polled)
        :return: the call status (``type``, ``exception``, ``stats``)
        :raises ValueError: if the call was never submitted
        :raises Exception: the function's own exception, with ``throw_except``
        """
        if self._state == self.State.New:
            raise ValueError("task not yet invoked")
        if check_only and not self._finished.is_set():
            return None
        self._wait(None)
        if self._state == self.State.Error:
            self._raise_call_exception(throw_except)
        elif self._state == self.State.Success:
            self._state = self.State.Done
        return {"type": "__end__", "exception": self._state == self.State.Error, "activation_id": self.activation_id, "stats": self.stats}

    def result(self, throw_except: bool = True, internal_storage: Any = None, timeout: Optional[float] = None, **_: Any) -> Any:
        """
        The value the function returned, waiting for it.

        :param throw_except: re-raise the function's exception (with the remote traceback as its cause)
        :param internal_storage: ignored (Lithops compatibility)
        :param timeout: seconds to wait; None waits for ever
        :raises TimeoutError: if the call did not finish in time
        :raises ValueError: if the call was never submitted
        :raises Exception: the function's own exception, with ``throw_except``
        """
        if self._state == self.State.New:
            raise ValueError("Task not yet invoked")
        self._wait(timeout)
        if self._state == self.State.Error:
            self._raise_call_exception(throw_except)
            return None
        self._state = self.State.Done
        return self._call_output

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        """
        ``concurrent.futures.Future.exception``: the exception the call raised, or None.

        :raises TimeoutError: if the call did not finish within ``timeout`` seconds
        """
        self._wait(timeout)
        return self._exception[1]
