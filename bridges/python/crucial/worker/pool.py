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
"""
from __future__ import annotations

import atexit
import json
import logging
import os
import pickle
import select
import socket
import subprocess
import sys
import threading
import time
from collections import OrderedDict, deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..errors import InvalidOptionError, RejectedError, TaskFailedError, TimeoutError

# (address, registry generation, CRUCIAL_TOKEN, CRUCIAL_TOKEN_FILE) -> what _parent_dso said for them
_dso_cache: Optional[tuple] = None
_credentials: Any = None  # crucial.client.credentials, imported on first use (it imports zmq)
# os.environ.get decodes key and value (~0.7 us each, three per task); the cache key reads the raw
# mapping os.environ keeps in step with every change made through it (None where it has none).
_env_raw: Optional[Dict[Any, Any]] = getattr(os.environ, "_data", None)
if not isinstance(_env_raw, dict):
    _env_raw = None
_K_DSO, _K_TOKEN, _K_TOKEN_FILE = (os.environ.encodekey(k) for k in ("CRUCIAL_DSO", "CRUCIAL_TOKEN", "CRUCIAL_TOKEN_FILE"))


def _parent_dso() -> Any:
    """
    The parent's node for a task: its address, with the credentials this process presents to it (a
    token, or CURVE credentials as JSON) when it has some; a worker may predate the node or its token.
    Kept while the address, the registry and the token variables are unchanged, when the credentials
    come from the registry or ``CRUCIAL_TOKEN`` (issue 13: ~3 us per task); credentials read from a
    file are read again for every task (the file may change under a node restarted on the same port).
    """
    global _dso_cache, _credentials
    raw = _env_raw
    if raw is not None:
        key = (raw.get(_K_DSO), raw.get(_K_TOKEN), raw.get(_K_TOKEN_FILE), _credentials and _credentials.generation)
        cached = _dso_cache
        if cached is not None and cached[0] == key:
            return cached[1]
    env = os.environ
    address = env.get("CRUCIAL_DSO")
    if not address:
        return address
    cr = _credentials
    if cr is None:
        from ..client import credentials as cr

        _credentials = cr
    token, token_file = env.get("CRUCIAL_TOKEN"), env.get("CRUCIAL_TOKEN_FILE")
    if raw is not None:
        key = (raw.get(_K_DSO), raw.get(_K_TOKEN), raw.get(_K_TOKEN_FILE), cr.generation)
    try:
        creds = cr.credentials_for(address)
    except InvalidOptionError:
        creds = None
    if creds is None:
        value: Any = address
    elif creds.token is not None:
        value = (address, creds.token)
    else:
        value = (address, json.dumps({"serverKey": creds.server_key, "publicKey": creds.public_key, "secretKey": creds.secret_key}))
    if raw is not None and (cr.registered_credentials(address) is not None or (token is not None and token_file is None)):
        _dso_cache = (key, value)
    return value

__all__ = ["RemoteTraceback", "Task", "WorkerPool", "shared_pool", "MAX_FUNCTIONS"]

logger = logging.getLogger(__name__)

#: Functions kept per worker, by job key: a map over N items ships its function once per worker.
MAX_FUNCTIONS = 64

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])

# A worker's pipe in its slot's epoll: watched one-shot, or disarmed while a caller reads it.
_ARMED = (select.EPOLLIN | select.EPOLLONESHOT) if hasattr(select, "epoll") else 0
_DISARMED = select.EPOLLONESHOT if hasattr(select, "epoll") else 0

# What ``python -m crucial.worker FD`` runs, without runpy and the package's __main__ (issue 10, start-up).
_WORKER_MAIN = "import sys; from crucial.worker.main import serve; serve(int(sys.argv[1]))"


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


def _worker_env() -> Dict[str, str]:
    env = dict(os.environ)
    # The worker must import crucial and every module the caller's functions were pickled by reference from.
    paths = [_PACKAGE_PARENT] + [p if p else os.getcwd() for p in sys.path if p == "" or os.path.isdir(p)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["CRUCIAL_WORKER"] = "1"
    return env


class _Process:
    def __init__(self) -> None:
        parent, child = socket.socketpair()
        try:
            self.popen = subprocess.Popen([sys.executable, "-c", _WORKER_MAIN, str(child.fileno())],
                                          pass_fds=(child.fileno(),), env=_worker_env(), stdin=subprocess.DEVNULL,
                                          # A Ctrl+C (or a kernel interrupt) is for the caller, not its workers;
                                          # they leave when the pipe closes.
                                          start_new_session=True)
        finally:
            child.close()
        self.conn = Connection(parent.detach())
        # The functions this worker holds, least recently used first (the worker keeps exactly these).
        self.known: "OrderedDict[str, None]" = OrderedDict()
        try:
            kind, self.pid = pickle.loads(self.conn.recv_bytes())
        except BaseException:
            self.kill()
            raise

    def alive(self) -> bool:
        """Whether the process is still running (a worker killed while idle is not)."""
        return self.popen.poll() is None

    def message(self, task: "Task") -> bytes:
        """The message running ``task`` here; the function travels only if this worker lacks it."""
        has = task.fn_key in self.known
        forget: List[str] = []
        if not has:
            while len(self.known) >= MAX_FUNCTIONS:
                forget.append(self.known.popitem(last=False)[0])
        return pickle.dumps((task.call_id, task.fn_key, None if has else task.fn_bytes, task.data_bytes, task.extra_env,
                             _parent_dso(), forget))

    def sent(self, task: "Task") -> None:
        """Records that the worker now holds ``task``'s function (most recently used)."""
        self.known[task.fn_key] = None
        self.known.move_to_end(task.fn_key)

    def kill(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait()

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass
        try:
            self.popen.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()


class _Slot:
    """One worker process and the parent thread that reads its replies."""

    __slots__ = ("index", "proc", "idle", "handoff", "ready", "wake_r", "wake_w", "reader", "epoll", "watched", "watched_fd", "armed")

    def __init__(self, index: int) -> None:
        self.index = index
        self.proc: Optional[_Process] = None
        #: its thread waits for work, watching its worker's pipe; a submitter may hand the worker a task
        self.idle = False
        #: the task a submitting thread handed this slot's worker itself
        self.handoff: Optional[Task] = None
        #: set once that submitter knows whether the worker took the task (set while no hand-off is under way)
        self.ready = threading.Event()
        self.ready.set()
        self.wake_r, self.wake_w = socket.socketpair()
        self.wake_r.setblocking(False)
        self.wake_w.setblocking(False)
        #: a thread reading the hand-off's reply itself (WorkerPool.read_reply); the slot's thread leaves the pipe alone
        self.reader: Optional[int] = None
        # epoll (Linux): a reader takes the worker's pipe out of what this slot's thread sleeps on
        # without waking it; without epoll the slot's thread reads every reply.
        self.epoll = select.epoll() if hasattr(select, "epoll") else None
        #: (process, fd) whose pipe is registered in the epoll, its fd, and whether it is armed
        self.watched: Optional[Tuple[_Process, int]] = None
        self.watched_fd = -1
        self.armed = False
        if self.epoll is not None:
            self.epoll.register(self.wake_r.fileno(), select.EPOLLIN)

    def wake(self) -> None:
        try:
            self.wake_w.send(b"\0")
        except OSError:
            pass  # the pipe is full: the thread is awake anyway

    def drain(self) -> None:
        try:
            while self.wake_r.recv(4096):
                pass
        except OSError:
            pass


class WorkerPool:
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
        if self._closed:
            raise RejectedError("the worker pool is shut down")
        with self._lock:
            # A task with a time limit goes through the slot's thread, which times its reply. No
            # waitpid per task (issue 13): an idle worker's exit wakes its slot's thread (its pipe
            # reads EOF), and a write to a worker that has just exited fails below (EPIPE), unspent.
            slot = None if task.timeout is not None else next(
                (s for s in self._slots if s.idle and s.proc is not None), None)
            if slot is None:
                self._queue.append(task)
                idle = next((s for s in self._slots if s.idle), None)
                if idle is not None:
                    idle.idle = False
            else:
                slot.idle = False
                slot.handoff = None
                slot.ready.clear()
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
            proc.conn.send_bytes(msg)
            proc.sent(task)
            task.slot = slot
            slot.handoff = task
        except OSError:  # died after the check: the task never reached it and spends no attempt
            task.attempts -= 1
            with self._lock:
                self._queue.appendleft(task)
        finally:
            slot.ready.set()

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
            s.wake()
        if wait:
            for t in threads:
                t.join(30)

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
            slot.epoll.poll()
            closed = None  # asked below: a reader may have taken the reply meanwhile
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

    @staticmethod
    def _watch(slot: _Slot) -> None:
        """
        Arms the slot's epoll on its worker's pipe, or disarms it while a caller reads that pipe (under
        the pool's lock). The pipe stays registered and is armed one-shot: disarming is a modify,
        ~3 us cheaper than removing it while the slot's thread waits; a hang-up, which epoll reports
        even when disarmed, then wakes that thread once, not in a loop.
        """
        ep = slot.epoll
        if ep is None:
            return
        proc = slot.proc
        cur = slot.watched
        if cur is not None and cur[0] is not proc:  # another process now: drop the old one's pipe
            slot.watched = cur = None
            try:
                ep.unregister(slot.watched_fd)
            except (OSError, ValueError):  # closed with its process: epoll dropped it then
                pass
        if proc is None:
            return
        arm = slot.reader is None
        events = _ARMED if arm else _DISARMED
        if cur is None:
            try:
                fd = proc.conn.fileno()
            except OSError:
                return
            try:
                ep.register(fd, events)
            except FileExistsError:
                ep.modify(fd, events)
            slot.watched, slot.watched_fd, slot.armed = (proc, fd), fd, arm
        elif arm or slot.armed:  # arm every time: a one-shot event may have disarmed it since
            ep.modify(slot.watched_fd, events)
            slot.armed = arm

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
                proc.conn.send_bytes(proc.message(task))
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
            reply = pickle.loads(proc.conn.recv_bytes())
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
