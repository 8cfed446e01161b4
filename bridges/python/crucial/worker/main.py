"""
The worker process: receives tasks from its parent over a local pipe, runs them and sends back the
result or the exception with its traceback. Only the parent that spawned this process writes to the
pipe, so unpickling what arrives there is unpickling our own caller's data (as Lithops and
``concurrent.futures.ProcessPoolExecutor`` do); nothing from the network is ever unpickled.
"""
from __future__ import annotations

import os
import pickle
import sys
import threading
import time
import traceback
from multiprocessing.connection import Connection
from typing import Any, Callable, Dict, Tuple

from .framing import Reader, send_message

__all__ = ["serve", "run_task"]

#: Result types plain pickle writes exactly as cloudpickle would; it needs no new Pickler per task (issue 13).
_ATOMS = frozenset((int, float, str, bytes, bool, type(None)))

def run_task(fn: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any], extra_env: Dict[str, str] | None) -> Any:
    """
    Runs one task with ``extra_env`` set for its duration.

    :param fn: the function
    :param args: positional arguments
    :param kwargs: keyword arguments
    :param extra_env: environment variables for this task
    """
    saved: Dict[str, Any] = {}
    if extra_env:
        for k, v in extra_env.items():
            saved[k] = os.environ.get(k)
            os.environ[k] = str(v)
    try:
        return fn(*args, **kwargs)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _error_reply(call_id: str, err: BaseException, start: float) -> bytes:
    tb = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    try:
        import cloudpickle

        exc_bytes = cloudpickle.dumps(err)
        pickle.loads(exc_bytes)  # an exception that does not round-trip is sent as text only
    except Exception:
        exc_bytes = None
    return pickle.dumps(("err", call_id, exc_bytes, type(err).__name__, str(err), tb, {"worker_start_tstamp": start, "worker_end_tstamp": time.time()}))


def _cloudpickle_dumps(value: Any) -> bytes:
    # cloudpickle (~30 ms to import) loads with the first result that is no atom, or with the first
    # function (its pickle names cloudpickle's helpers): a worker is ready before either (issue 10).
    import cloudpickle

    return cloudpickle.dumps(value)


def _use_dso(address: str, secret: "str | None" = None) -> None:
    """Points this worker at the parent's node (the parent may have started it after this worker)."""
    if secret is not None:
        # Read by the worker's clients for the node CRUCIAL_DSO names (crucial.client.credentials).
        os.environ["CRUCIAL_TOKEN"] = secret
    context = sys.modules.get("crucial.client.context")
    if context is None:  # no task has used crucial yet: the address is all there is to set
        os.environ["CRUCIAL_DSO"] = address
    else:  # an earlier task may have connected to another node: close that connection
        context.use_dso(address)


def _load(fn_bytes: bytes) -> Callable[..., Any]:
    try:
        return pickle.loads(fn_bytes)
    except BaseException as err:  # every task of the job then fails with this, not with "no function"
        failure = err  # `err` is unbound when the except block ends

        def unloadable(*args: Any, **kwargs: Any) -> Any:
            raise failure

        return unloadable


def serve(fd: int) -> None:
    """
    Serves tasks on the pipe ``fd`` until the parent closes it.

    Each message is ``(call_id, fn_key, fn_bytes, data_bytes, extra_env, dso, forget)``: the parent
    decides which functions this worker keeps (``fn_bytes`` is None for a function already sent, and
    ``forget`` lists the ones to drop), so both sides always agree; ``dso`` is the parent's node: its
    address, or (address, token or CURVE credentials JSON).

    :param fd: file descriptor of this end of the pipe
    """
    conn = Connection(fd)
    os.environ["CRUCIAL_WORKER"] = "1"
    _exit_with_parent()
    functions: Dict[str, Callable[..., Any]] = {}
    try:
        conn.send_bytes(pickle.dumps(("ready", os.getpid())))
    except OSError:  # the parent ended while this worker was starting: nothing to say to anyone
        return
    # Ready first, then cloudpickle, which unpickling the first function needs: it loads while this
    # thread waits for that task (the parent is still starting its node, or pickling the function).
    threading.Thread(target=_preload, name="crucial-preload", daemon=True).start()
    reader = Reader(conn)
    while True:
        try:
            msg = reader.recv()
        except (EOFError, OSError):
            return
        call_id, fn_key, fn_bytes, data_bytes, extra_env, dso, forget = pickle.loads(msg)
        for key in forget:
            functions.pop(key, None)
        dso, secret = dso if isinstance(dso, tuple) else (dso, None)
        if dso and (os.environ.get("CRUCIAL_DSO") != dso or (secret is not None and os.environ.get("CRUCIAL_TOKEN") != secret)):
            _use_dso(dso, secret)
        start = time.time()
        try:
            fn = functions.get(fn_key)
            if fn is None:
                if fn_bytes is None:
                    raise RuntimeError(f"worker has no function for job {fn_key}")
                fn = functions[fn_key] = _load(fn_bytes)
            args, kwargs = pickle.loads(data_bytes)
            result = run_task(fn, args, kwargs, extra_env)
            try:
                out = pickle.dumps(result, pickle.HIGHEST_PROTOCOL) if type(result) in _ATOMS else _cloudpickle_dumps(result)
            except Exception as err:
                from ..errors import NotSerializableError  # only on this path: the worker's start-up imports stay few

                raise NotSerializableError(f"the function's result cannot be pickled: {err}") from err
            reply = pickle.dumps(("ok", call_id, out, {"worker_start_tstamp": start, "worker_end_tstamp": time.time()}))
        except BaseException as err:  # SystemExit and KeyboardInterrupt in user code are task failures too
            reply = _error_reply(call_id, err, start)
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            send_message(conn, reply)
        except OSError:
            return


def _preload() -> None:
    try:
        import cloudpickle  # noqa: F401
    except Exception:  # the task that needs it reports the failure
        pass


def _exit_with_parent(interval: float = 1.0) -> None:
    """
    Ends this worker when the process that spawned it is gone. The pipe's EOF says so only between
    tasks; a task that runs long (or forever) after its program was killed (kill -9, no chance to
    stop its pool) would go on using a core. A reparented process has a new parent pid: polled once a
    second, as ``crucial dso start`` watches its own starter (no PR_SET_PDEATHSIG: it follows the
    spawning thread, not the process, and pool threads come and go).
    """
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="crucial-parent-watch", daemon=True).start()
