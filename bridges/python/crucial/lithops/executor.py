"""
``crucial.lithops.FunctionExecutor``: a drop-in for ``lithops.FunctionExecutor`` whose functions run
on crucial's warm Python worker processes (:mod:`crucial.worker`), in parallel across cores, and
share state through crucial objects instead of Redis. Functions and data are serialised with
cloudpickle, as Lithops does; results come back over a local pipe, so no storage is involved.

One program, one node: an executor created before any crucial object starts the embedded DSO node
(unless ``CRUCIAL_DSO`` names one) before its workers exist, so the parent and every worker share it.
"""
from __future__ import annotations

import itertools
import logging
import os
import pickle
import threading
import uuid
from typing import Any, Callable, Dict, List, Optional, Union

import cloudpickle

from ..client.context import begin_dso, ensure_dso
from ..errors import InvalidOptionError, NotSerializableError, UnavailableError
from ..worker.pool import Task, WorkerPool, shared_pool
from . import wait as _wait
from .fncache import FunctionCache
from .future import ResponseFuture
from .utils import FuturesList, bind_one, chained_futures, prepare_args, verify_args
from .wait import ALL_COMPLETED, THREADPOOL_SIZE, WAIT_DUR_SEC

#: Argument types plain pickle writes exactly as cloudpickle would (by value, no code or module).
_ATOMS = frozenset((int, float, str, bytes, bool, type(None)))


def _dump_args(args: Any, kwargs: Dict[str, Any]) -> bytes:
    # cloudpickle builds a Pickler per call (~3 us); atoms need none of what it adds (issue 13).
    if all(type(a) in _ATOMS for a in args) and all(type(v) in _ATOMS for v in kwargs.values()):
        return pickle.dumps((args, kwargs), pickle.HIGHEST_PROTOCOL)
    try:
        return cloudpickle.dumps((args, kwargs))
    except Exception as err:  # a lock, an open socket, a generator...: the call cannot reach a worker
        raise NotSerializableError(f"the call's arguments cannot be pickled: {err}") from err

__all__ = ["FunctionExecutor", "LocalhostExecutor"]

logger = logging.getLogger(__name__)

_executor_count = itertools.count()
_SESSION = uuid.uuid4().hex[:6]


def _positive_int(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InvalidOptionError(f"options.{name} must be a positive integer")
    return value


class FunctionExecutor:
    """
    Runs Python functions on crucial's worker processes with the Lithops API.

    :param mode: accepted for compatibility (always local worker processes)
    :param config: a Lithops config dict; ``config['lithops']`` may hold ``workers``/``max_workers``,
        ``retries`` and ``show_progressbar``
    :param config_file: ignored (compatibility)
    :param backend: ignored (compatibility)
    :param storage: ignored (compatibility)
    :param monitoring: ignored (compatibility)
    :param log_level: ignored (compatibility)
    :param workers: worker processes to make sure exist (default: the number of cores); tasks that
        wait on each other (parties of a barrier) need one each
    :param max_workers: same as ``workers``, as Lithops names it
    :param retries: how many times a call is run again after it raised, crashed its worker or timed out
    :param show_progressbar: whether long waits show a progress bar
    :param pool: a :class:`~crucial.worker.pool.WorkerPool` to use instead of the process-wide one
    :raises InvalidOptionError: if ``workers`` is not a positive integer or ``retries`` a non-negative one
    """

    def __init__(self, mode: Optional[str] = None, config: Optional[Dict[str, Any]] = None, config_file: Optional[str] = None,
                 backend: Optional[str] = None, storage: Optional[str] = None, monitoring: Optional[str] = None,
                 log_level: Union[str, bool, None] = False, *, workers: Optional[int] = None, max_workers: Optional[int] = None,
                 retries: Optional[int] = None, show_progressbar: Optional[bool] = None, pool: Optional[WorkerPool] = None,
                 **kwargs: Any) -> None:
        lconf = dict((config or {}).get("lithops", {}) or {})
        n = next((v for v in (workers, max_workers, kwargs.get("worker_processes"), lconf.get("workers"), lconf.get("max_workers")) if v is not None), None)
        if n is not None:
            n = _positive_int(n, "workers")
        r = retries if retries is not None else lconf.get("retries", 0)
        if not isinstance(r, int) or isinstance(r, bool) or r < 0:
            raise InvalidOptionError("options.retries must be a non-negative integer")
        self.config: Dict[str, Any] = {"lithops": {**lconf, "backend": "crucial", "mode": "localhost", "retries": r}}
        self.retries = r
        self.show_progressbar = bool(lconf.get("show_progressbar", True) if show_progressbar is None else show_progressbar)
        self.executor_id = f"{_SESSION}-{next(_executor_count)}"
        self.futures: List[ResponseFuture] = []
        self.total_jobs = 0
        self.last_call: Optional[str] = None
        self.backend = "crucial"
        self.mode = "localhost"
        # The node's process first, then the workers, which boot while it loads (issue 10, start-up); a
        # worker never starts a node: every task carries its parent's node, whenever that started.
        # Its address is known before it has loaded (it is handed its listening socket): the first tasks
        # need not wait for it, and those that call it wait in its backlog.
        address: Optional[str] = begin_dso()
        self._pool = pool if pool is not None else shared_pool(n)
        if pool is not None and n:
            pool.ensure(n)
        address = self._node_for_workers(address)
        logger.info("ExecutorID %s - crucial executor created (DSO node %s)", self.executor_id, address)
        self._lock = threading.Lock()
        self._functions = FunctionCache()

    def _node_for_workers(self, started: Optional[str]) -> Optional[str]:
        """The node's address once :func:`begin_dso` gave ``started`` (None: wait for it in ensure_dso); None, logged, when there is none."""
        if started is not None:
            return started
        try:
            return ensure_dso()
        except UnavailableError as err:  # plain functions still run; crucial objects in them will fail
            logger.warning("ExecutorID %s - no DSO node for the workers: %s", self.executor_id, err)
            return None

    # -- context manager --------------------------------------------------------------------------
    def __enter__(self) -> "FunctionExecutor":
        return self

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        self.clean()

    # -- submission -------------------------------------------------------------------------------
    def _job_id(self, prefix: str) -> str:
        with self._lock:
            jid = f"{prefix}{self.total_jobs:03d}"
            self.total_jobs += 1
            return jid

    def _new_future(self, job_id: str, i: int, func: Callable[..., Any], timeout: Optional[float]) -> ResponseFuture:
        name = getattr(func, "__name__", None) or getattr(getattr(func, "func", None), "__name__", type(func).__name__)
        f = ResponseFuture(f"{i:05d}", job_id, self.executor_id, name, timeout)
        f._set_invoked()
        return f

    def _submit(self, future: ResponseFuture, func: Callable[..., Any], fn_key: str, fn_bytes: bytes, bound: Dict[str, Any], index: int,
                extra_env: Optional[Dict[str, str]], timeout: Optional[float]) -> None:
        try:
            args, kwargs = prepare_args(func, bound, index)
            data = _dump_args(args, kwargs)
        except Exception as err:
            future._complete(False, err)
            return
        task = Task(f"{future.job_id}/{future.call_id}", fn_key, fn_bytes, data, future._complete, extra_env,
                    timeout, self.retries, future._set_running, self.executor_id)
        # result() reads the reply itself when the task went straight to an idle worker (issue 13).
        future._read_reply = self._read_reply(task)
        self._pool.submit(task)

    def _read_reply(self, task: Task) -> Optional[Callable[[Optional[float]], bool]]:
        read = getattr(self._pool, "read_reply", None)
        return None if read is None else lambda timeout: read(task, timeout)

    def _submit_job(self, prefix: str, func: Callable[..., Any], iterdata: Any, extra_args: Any = None,
                    extra_env: Optional[Dict[str, str]] = None, timeout: Optional[float] = None) -> List[ResponseFuture]:
        if not callable(func):
            raise TypeError("the function to run must be callable")
        job_id = self._job_id(prefix)
        # After crucial.shutdown() this program has no node: the job's tasks start the next one, as an
        # object's call does, instead of reaching for the stopped one's address in their workers.
        if "CRUCIAL_DSO" not in os.environ:
            self._node_for_workers(begin_dso())
        # A function whose pickle cannot have changed since an earlier job keeps that job's key: its
        # workers run it without receiving and unpickling it again.
        try:
            fn_key, fn_bytes = self._functions.get(func, lambda: f"{self.executor_id}/{job_id}")
        except Exception as err:  # what it closes over cannot be pickled (a lock, a socket...)
            raise NotSerializableError(f"the function {getattr(func, '__name__', func)!r} cannot be pickled: {err}") from err
        chained = chained_futures(iterdata)
        logger.debug("ExecutorID %s | JobID %s - submitting %s (%d bytes pickled)", self.executor_id, job_id,
                     getattr(func, "__name__", type(func).__name__), len(fn_bytes))
        futures: List[ResponseFuture] = []
        if chained is not None:
            if extra_args:
                raise ValueError("extra_args is not supported when chaining jobs: "
                                 "a chained function is called with the result of the previous one and nothing else")
            for f in chained:
                f._produce_output = False
            for i, dep in enumerate(chained):
                fut = self._new_future(job_id, i, func, timeout)
                futures.append(fut)
                dep.add_done_callback(self._chain(fut, func, fn_key, fn_bytes, i, extra_env, timeout))
        else:
            bound = verify_args(func, iterdata, extra_args)
            for i, b in enumerate(bound):
                fut = self._new_future(job_id, i, func, timeout)
                futures.append(fut)
                self._submit(fut, func, fn_key, fn_bytes, b, i, extra_env, timeout)
        with self._lock:
            self.futures.extend(futures)
        return futures

    def _chain(self, fut: ResponseFuture, func: Callable[..., Any], fn_key: str, fn_bytes: bytes, i: int,
               extra_env: Optional[Dict[str, str]], timeout: Optional[float]) -> Callable[[ResponseFuture], None]:
        def on_dep_done(dep: ResponseFuture) -> None:
            if dep.error:
                fut._complete(False, dep._exception[1])
                return
            try:
                bound = bind_one(func, dep._call_output)
            except Exception as err:
                fut._complete(False, err)
                return
            self._submit(fut, func, fn_key, fn_bytes, bound, i, extra_env, timeout)

        return on_dep_done

    def call_async(self, func: Callable[..., Any], data: Any, extra_env: Optional[Dict[str, str]] = None, runtime_memory: Optional[int] = None,
                   timeout: Optional[float] = None, include_modules: Optional[List[str]] = [], exclude_modules: Optional[List[str]] = []) -> ResponseFuture:  # noqa: B006 (Lithops's own signature; ignored)
        """
        Runs one function call asynchronously.

        :param func: the function
        :param data: its input: a tuple (positional), a dict (by name) or a single value
        :param extra_env: environment variables for the call
        :param runtime_memory: ignored (compatibility)
        :param timeout: seconds the call may run
        :param include_modules: ignored (cloudpickle decides)
        :param exclude_modules: ignored (cloudpickle decides)
        :return: the call's future
        :raises TypeError: if ``func`` is not callable
        :raises ValueError: if ``data`` does not match the function's parameters
        """
        self.last_call = "call_async"
        return self._submit_job("A", func, [data], None, extra_env, timeout)[0]

    def map(self, map_function: Callable[..., Any], map_iterdata: Any, chunksize: Optional[int] = None, extra_args: Any = None,
            extra_env: Optional[Dict[str, str]] = None, runtime_memory: Optional[int] = None, obj_chunk_size: Optional[int] = None,
            obj_chunk_number: Optional[int] = None, obj_newline: Optional[str] = "\n", timeout: Optional[float] = None,
            include_modules: Optional[List[str]] = [], exclude_modules: Optional[List[str]] = []) -> FuturesList:  # noqa: B006 (Lithops's own signature; ignored)
        """
        Runs ``map_function`` once per element of ``map_iterdata``, in parallel.

        :param map_function: the function
        :param map_iterdata: the inputs (values, tuples or dicts), or the futures of a previous job to chain on
        :param chunksize: ignored (every element is a call)
        :param extra_args: appended to every element (tuple) or merged into it (dict)
        :param extra_env: environment variables for the calls
        :param runtime_memory: ignored (compatibility)
        :param obj_chunk_size: not supported (object storage partitioning)
        :param obj_chunk_number: not supported (object storage partitioning)
        :param obj_newline: ignored
        :param timeout: seconds each call may run
        :param include_modules: ignored
        :param exclude_modules: ignored
        :return: the futures, as a :class:`FuturesList` (chain with ``.map``)
        :raises NotImplementedError: with ``obj_chunk_size`` or ``obj_chunk_number`` (no storage partitioning)
        :raises TypeError: if ``map_function`` is not callable
        :raises ValueError: if an element does not match the function's parameters, or ``extra_args`` comes
            with futures to chain on
        """
        if obj_chunk_size or obj_chunk_number:
            raise NotImplementedError("crucial's executor does not partition storage objects (obj_chunk_size / obj_chunk_number)")
        self.last_call = "map"
        return self._futures_list(self._submit_job("M", map_function, map_iterdata, extra_args, extra_env, timeout))

    def map_reduce(self, map_function: Callable[..., Any], map_iterdata: Any, reduce_function: Callable[..., Any], chunksize: Optional[int] = None,
                   extra_args: Any = None, extra_args_reduce: Any = None, extra_env: Optional[Dict[str, str]] = None,
                   map_runtime_memory: Optional[int] = None, reduce_runtime_memory: Optional[int] = None, timeout: Optional[float] = None,
                   obj_chunk_size: Optional[int] = None, obj_chunk_number: Optional[int] = None, obj_newline: Optional[str] = "\n",
                   obj_reduce_by_key: Optional[bool] = False, spawn_reducer: Optional[int] = 20, include_modules: Optional[List[str]] = [],  # noqa: B006 (Lithops's own signature)
                   exclude_modules: Optional[List[str]] = []) -> FuturesList:  # noqa: B006 (Lithops's own signature; ignored)
        """
        Maps ``map_function`` over the data, then calls ``reduce_function`` with the list of map results.

        :param map_function: the map function
        :param map_iterdata: the inputs
        :param reduce_function: called with the list of map results as its first argument
        :param chunksize: ignored
        :param extra_args: extra arguments of every map call
        :param extra_args_reduce: extra arguments of the reduce call
        :param extra_env: environment variables for the calls
        :param map_runtime_memory: ignored
        :param reduce_runtime_memory: ignored
        :param timeout: seconds each call may run
        :param obj_chunk_size: not supported
        :param obj_chunk_number: not supported
        :param obj_newline: ignored
        :param obj_reduce_by_key: not supported
        :param spawn_reducer: ignored: the reducer starts when the last map result is in
        :param include_modules: ignored
        :param exclude_modules: ignored
        :return: the map futures followed by the reduce future
        :raises NotImplementedError: with ``obj_chunk_size``, ``obj_chunk_number`` or ``obj_reduce_by_key``
        :raises TypeError: if ``map_function`` is not callable
        :raises ValueError: if an element does not match the function's parameters
        """
        if obj_chunk_size or obj_chunk_number or obj_reduce_by_key:
            raise NotImplementedError("crucial's executor does not partition storage objects")
        self.last_call = "map_reduce"
        map_futures = self._submit_job("M", map_function, map_iterdata, extra_args, extra_env, timeout)
        job_id = self._job_id("R")
        reduce_future = self._new_future(job_id, 0, reduce_function, timeout)
        fn_key = f"{self.executor_id}/{job_id}"
        fn_bytes = cloudpickle.dumps(reduce_function)
        remaining = [len(map_futures)]
        lock = threading.Lock()

        def on_map_done(_: ResponseFuture) -> None:
            with lock:
                remaining[0] -= 1
                if remaining[0] > 0:
                    return
            failed = next((f for f in map_futures if f.error), None)
            if failed is not None:
                reduce_future._complete(False, failed._exception[1])
                return
            results = [f._call_output for f in map_futures]
            try:
                bound = verify_args(reduce_function, [(results,)], extra_args_reduce)[0]
            except Exception as err:
                reduce_future._complete(False, err)
                return
            self._submit(reduce_future, reduce_function, fn_key, fn_bytes, bound, 0, extra_env, timeout)

        for f in map_futures:
            f._set_mapreduce_pending = True  # type: ignore[attr-defined]
            f._produce_output = False
        with self._lock:
            self.futures.append(reduce_future)
        if not map_futures:
            remaining[0] = 1
            on_map_done(reduce_future)
        for f in map_futures:
            f.add_done_callback(on_map_done)
        return self._futures_list(map_futures + [reduce_future])

    def _futures_list(self, fs: List[ResponseFuture]) -> FuturesList:
        fl = FuturesList(fs)
        fl.executor = self
        return fl

    # -- waiting ----------------------------------------------------------------------------------
    def wait(self, fs: Any = None, throw_except: bool = True, return_when: Any = ALL_COMPLETED, download_results: bool = False,
             timeout: Optional[float] = None, threadpool_size: int = THREADPOOL_SIZE, wait_dur_sec: Optional[float] = WAIT_DUR_SEC,
             show_progressbar: bool = True, clean_jobs: Optional[bool] = None) -> Any:
        """
        Waits for futures (default: every future of this executor).

        :param fs: a future or a list of futures
        :param throw_except: re-raise the exception of a failed call
        :param return_when: ``ALL_COMPLETED``, ``ANY_COMPLETED``, ``ALWAYS`` or a percentage
        :param download_results: mark results as read
        :param timeout: seconds to wait at most (then ``TimeoutError``)
        :param threadpool_size: ignored
        :param wait_dur_sec: ignored
        :param show_progressbar: show a progress bar on long waits
        :param clean_jobs: ignored
        :return: ``(fs_done, fs_notdone)``
        :raises TimeoutError: if ``timeout`` passed first
        :raises Exception: the exception of a failed call, with ``throw_except``
        """
        futures = self._as_list(fs)
        done, not_done = _wait.wait(futures, throw_except=throw_except, return_when=return_when, download_results=download_results,
                                    timeout=timeout, show_progressbar=show_progressbar and self.show_progressbar)
        return self._futures_list(done), self._futures_list(not_done)

    def get_result(self, fs: Any = None, throw_except: bool = True, timeout: Optional[float] = None, threadpool_size: int = THREADPOOL_SIZE,
                   wait_dur_sec: Optional[float] = WAIT_DUR_SEC, show_progressbar: bool = True) -> Any:
        """
        Waits for the calls and returns their results.

        :param fs: futures (default: every unread future of this executor)
        :param throw_except: re-raise the exception of a failed call
        :param timeout: seconds to wait at most
        :param threadpool_size: ignored
        :param wait_dur_sec: ignored
        :param show_progressbar: show a progress bar on long waits
        :return: the list of results; a single result alone unless the last call was ``map``
        :raises TimeoutError: if ``timeout`` passed first
        :raises Exception: the exception of a failed call, with ``throw_except``
        """
        futures = self._as_list(fs)
        if not fs:
            futures = [f for f in futures if not f._read]
        done, _ = _wait.wait(futures, throw_except=throw_except, download_results=True, timeout=timeout,
                             show_progressbar=show_progressbar and self.show_progressbar)
        result = []
        for f in done:
            if f.futures or not f._produce_output:
                continue
            result.append(f.result(throw_except=throw_except))
            if not fs:
                f._read = True
        if len(result) == 1 and self.last_call != "map":
            return result[0]
        return result

    def _as_list(self, fs: Any) -> List[ResponseFuture]:
        if fs is None or (isinstance(fs, list) and not fs and not isinstance(fs, FuturesList)):
            with self._lock:
                return list(self.futures)
        if isinstance(fs, ResponseFuture):
            return [fs]
        if isinstance(fs, FuturesList):
            return fs._all()
        return list(fs)

    # -- housekeeping ----------------------------------------------------------------------------
    def clean(self, fs: Any = None, cs: Any = None, clean_cloudobjects: bool = True, clean_fn: bool = False, force: bool = False,
              on_exit: bool = False) -> None:
        """
        Forgets finished futures (there is no temporary data in storage to delete).

        :param fs: futures to forget (default: every finished one)
        :param cs: ignored (no cloud objects)
        :param clean_cloudobjects: ignored
        :param clean_fn: ignored
        :param force: forget unfinished futures too
        :param on_exit: ignored
        """
        drop = set(map(id, self._as_list(fs)))
        with self._lock:
            self.futures = [f for f in self.futures if id(f) not in drop or not (force or f._finished.is_set())]

    def job_summary(self, cloud_objects_n: Optional[int] = 0) -> None:
        """Not supported (compatibility)."""

    def plot(self, *args: Any, **kwargs: Any) -> None:
        """
        Not supported (compatibility).

        :raises NotImplementedError: always
        """
        raise NotImplementedError("plot() is not available in crucial's executor")


class LocalhostExecutor(FunctionExecutor):
    """
    ``lithops.LocalhostExecutor`` with its signature (config first): a :class:`FunctionExecutor` in
    localhost mode.

    :param config: a Lithops config dict (see :class:`FunctionExecutor`)
    :param config_file: ignored (compatibility)
    :param storage: ignored (compatibility)
    :param monitoring: ignored (compatibility)
    :param log_level: ignored (compatibility)
    :param kwargs: the keyword options of :class:`FunctionExecutor` (``workers``, ``retries``...)
    """

    def __init__(self, config: Optional[Dict[str, Any]] = None, config_file: Optional[str] = None, storage: Optional[str] = None,
                 monitoring: Optional[str] = None, log_level: Union[str, bool, None] = False, **kwargs: Any) -> None:
        super().__init__(mode="localhost", config=config, config_file=config_file, storage=storage, monitoring=monitoring,
                         log_level=log_level, **kwargs)
