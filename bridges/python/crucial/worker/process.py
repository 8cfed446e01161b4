"""
A worker process of the pool (``python -m crucial.worker``'s serve loop) and the parent's end of its
socketpair. The parent alone decides which functions a worker keeps (at most ``MAX_FUNCTIONS``, least
recently used dropped first) and tells the worker what to drop, so the two never disagree.
"""
from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
from collections import OrderedDict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Dict, List

from .framing import Reader, send_message
from .parent_dso import _parent_dso
from .task import Task

#: Functions kept per worker, by job key: a map over N items ships its function once per worker.
MAX_FUNCTIONS = 64

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])

# What ``python -m crucial.worker FD`` runs, without runpy and the package's __main__ (issue 10, start-up).
_WORKER_MAIN = "import sys; from crucial.worker.main import serve; serve(int(sys.argv[1]))"


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
        #: replies are read through this from now on (one read per small reply)
        self.reader = Reader(self.conn)

    def send(self, msg: bytes) -> None:
        """Writes a task message to the worker (one write). :raises OSError: if the worker is gone"""
        send_message(self.conn, msg)

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
