"""
``wait`` and ``get_result`` over futures, with the constants and semantics of ``lithops.wait``:
``return_when`` is the percentage of futures to wait for (``ALL_COMPLETED`` = 100,
``ANY_COMPLETED`` = -1, ``ALWAYS`` = 0). A progress bar (tqdm) appears when a wait lasts longer than
``progressbar_after`` seconds; ``show_progressbar=False`` or ``CRUCIAL_PROGRESSBAR=0`` switch it off.
"""
from __future__ import annotations

import math
import os
import threading
import time
from typing import Any, Iterable, List, Optional, Tuple, Union

from ..errors import TimeoutError
from .future import ResponseFuture

__all__ = ["ALWAYS", "ANY_COMPLETED", "ALL_COMPLETED", "THREADPOOL_SIZE", "WAIT_DUR_SEC", "wait", "get_result"]

ALWAYS = 0
ANY_COMPLETED = -1
ALL_COMPLETED = 100
THREADPOOL_SIZE = 64
WAIT_DUR_SEC = 1

#: Seconds a wait runs before its progress bar appears.
progressbar_after = 1.0


def _as_list(fs: Union[ResponseFuture, Iterable[ResponseFuture], None]) -> List[ResponseFuture]:
    if fs is None:
        return []
    if isinstance(fs, ResponseFuture):
        return [fs]
    return list(fs)


def _finished(f: Any) -> bool:
    ev = getattr(f, "_finished", None)
    return ev.is_set() if ev is not None else bool(f.done or f.success)


def _bar_enabled(show: Optional[bool]) -> bool:
    return bool(show) and os.environ.get("CRUCIAL_PROGRESSBAR", "1") not in ("0", "false", "no") and os.environ.get("CRUCIAL_WORKER") != "1"


def wait(fs: Union[ResponseFuture, Iterable[ResponseFuture]], throw_except: bool = True, return_when: Any = ALL_COMPLETED,
         download_results: bool = False, timeout: Optional[float] = None, threadpool_size: int = THREADPOOL_SIZE,
         wait_dur_sec: Optional[float] = WAIT_DUR_SEC, show_progressbar: bool = True, **_: Any) -> Tuple[List[ResponseFuture], List[ResponseFuture]]:
    """
    Waits for the futures given by ``fs`` to complete.

    :param fs: a future or a list of futures
    :param throw_except: re-raise the exception of a failed call
    :param return_when: ``ALL_COMPLETED``, ``ANY_COMPLETED``, ``ALWAYS`` or a percentage of futures
    :param download_results: mark the results as read (``done``) as Lithops does after downloading
    :param timeout: seconds to wait at most
    :param threadpool_size: ignored (nothing is polled)
    :param wait_dur_sec: ignored (nothing is polled)
    :param show_progressbar: show a progress bar if the wait is long
    :return: ``(fs_done, fs_notdone)``
    :raises TimeoutError: if ``timeout`` passed first
    """
    futures = _as_list(fs)
    if return_when == ANY_COMPLETED:
        target = 1 if futures else 0
    elif return_when == ALWAYS:
        target = 0
    else:
        target = min(len(futures), math.ceil(float(return_when) * len(futures) / 100))
    deadline = None if timeout is None else time.monotonic() + float(timeout)
    started = time.monotonic()
    # Each future reports its own completion: waiting costs O(n) in all, not O(n) per completion.
    lock = threading.Lock()
    woken = threading.Event()
    state = {"n": 0, "failed": None}

    def on_done(f: Any) -> None:
        with lock:
            state["n"] += 1
            if f.error and state["failed"] is None:
                state["failed"] = f
            if state["n"] >= target or (throw_except and state["failed"] is not None):
                woken.set()

    for f in futures:
        if hasattr(f, "add_done_callback"):
            f.add_done_callback(on_done)
        elif _finished(f):
            on_done(f)
    bar = None
    try:
        while True:
            if throw_except and state["failed"] is not None:
                state["failed"]._raise_call_exception(True)
            if state["n"] >= target:
                break
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise TimeoutError(f"Timeout of {timeout} seconds exceeded waiting for function activations to finish")
            if bar is None and now - started >= progressbar_after and _bar_enabled(show_progressbar):
                from tqdm.auto import tqdm

                bar = tqdm(total=target, initial=min(state["n"], target), bar_format="  {l_bar}{bar}| {n_fmt}/{total_fmt}  ")
            if bar is not None:
                bar.update(min(state["n"], target) - bar.n)
            step = progressbar_after if bar is None else 0.1
            if deadline is not None:
                step = min(step, max(0.0, deadline - now))
            if state["n"] == target - 1:
                # One call left to wait for: read its reply in this thread when its worker was handed it
                # directly (issue 13; crucial.worker.pool.WorkerPool.read_reply), then wait as before.
                left = [f for f in futures if not _finished(f)]
                read = getattr(left[0], "_read_reply", None) if len(left) == 1 else None
                if read is not None and (read(step) or time.monotonic() - now >= step):
                    continue  # read (or waited the whole step): else another thread reads it, wait below
            woken.wait(step)
    finally:
        if bar is not None:
            bar.update(min(state["n"], target) - bar.n)
            bar.close()
    done, not_done = [], []
    for f in futures:
        if _finished(f):
            if download_results and f.success and not f.error:
                f._state = f.State.Done
            done.append(f)
        else:
            not_done.append(f)
    return done, not_done


def get_result(fs: Union[ResponseFuture, Iterable[ResponseFuture]], throw_except: bool = True, timeout: Optional[float] = None,
               threadpool_size: int = THREADPOOL_SIZE, wait_dur_sec: Optional[float] = WAIT_DUR_SEC, show_progressbar: bool = True, **_: Any) -> Any:
    """
    Waits for every future and returns their results, in order.

    :param fs: a future or a list of futures
    :param throw_except: re-raise the exception of a failed call
    :param timeout: seconds to wait at most
    :param threadpool_size: ignored
    :param wait_dur_sec: ignored
    :param show_progressbar: show a progress bar if the wait is long
    :return: the list of results (a single future gives its result alone)
    """
    single = isinstance(fs, ResponseFuture)
    futures = _as_list(fs)
    wait(futures, throw_except=throw_except, download_results=True, timeout=timeout, show_progressbar=show_progressbar)
    out = [f.result(throw_except=throw_except) for f in futures]
    return out[0] if single else out
