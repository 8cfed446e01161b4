"""
Who reads a :class:`~crucial.client.connection.Connection`'s socket: a blocking caller for its own
call alone in flight (``_read_for``), else the connection's I/O thread (``_io_loop``), which also
keeps the link events, resends and failure windows. Part of ``Connection`` as a base class, so a
call costs the same method lookups as when it was one class; the module docstring of
:mod:`crucial.client.connection` says how the two readers hand the socket over.
"""
from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import Future
from typing import Any, List, Optional

import zmq

from ..errors import ClosedError
from .recovery import Recovery, Settled

__all__ = ["Readers"]

#: longest a reading caller sleeps between looks at its future (a safety net: it is woken when settled)
_READ_TICK = 1.0


class Readers(Recovery):
    """The socket's two readers; the state they share is set up by ``Connection.__init__``."""

    _lock: threading.Lock
    _sock_closed: bool
    _reader: Optional[Future]
    _reader_tid: Optional[int]
    _io_watching: bool
    _thread: threading.Thread
    _wake_r: socket.socket
    _wake_w: socket.socket
    _rwake_r: socket.socket
    _rwake_w: socket.socket
    _read_poll: Any
    _fd: Any
    _socket: Any

    def _read_for(self, fut: Future, timeout: Optional[float]) -> Optional[float]:
        """
        Reads the socket in this thread until ``fut`` is settled or ``timeout`` passes when its call is
        the only one in flight (the I/O thread, if it polls for it, leaves it to this one) or this
        thread is already reading (nested); returns what is left of ``timeout`` for the plain wait
        that follows.
        """
        me = threading.get_ident()
        with self._lock:
            if self._sock_closed or fut.done():
                return timeout
            # A call made by a callback this thread runs while reading (nested) reads on here: no
            # one else would. Otherwise a caller reads only for a call of its own alone in flight:
            # with several (threads calling at once), the I/O thread reads for all of them, as
            # handing the socket from caller to caller would wake the I/O thread at every call.
            outer = self._reader if self._reader_tid == me else None
            # (The I/O thread itself, running a callback, reads too: no one else would.)
            read = outer is not None or (self._reader is None and (len(self._pending) <= 1 or me == self._thread.ident))
            if read:
                self._reader, self._reader_tid = fut, me
                takeover = self._io_watching
            else:  # a blocking call's submit woke no one: the I/O thread reads if no caller does
                wake = self._reader is None and not self._io_watching
        if not read:
            if wake:
                self._wake()
            return timeout
        if takeover:  # the I/O thread polls the socket for this call alone: it stops now
            self._wake()
        deadline = None if timeout is None else time.monotonic() + timeout
        poll = self._read_poll.poll
        rwake = self._rwake_r.fileno()
        try:
            while True:
                with self._lock:
                    if self._sock_closed:
                        break
                    replies = self._drain_locked()
                if replies:
                    self._settle(self._replies(replies, []), True)
                if fut.done():
                    break
                wait = _READ_TICK if deadline is None else min(_READ_TICK, deadline - time.monotonic())
                if wait <= 0:
                    break
                for fd, _ in poll(wait * 1000):
                    if fd == rwake:
                        self._drain_pipe(self._rwake_r)
        finally:
            with self._lock:
                self._reader = outer
                if outer is None:
                    self._reader_tid = None
                handover = outer is None and bool(self._pending) and not self._sock_closed
            if handover:  # calls left for others: the I/O thread reads for them now
                self._wake()
        return None if deadline is None else max(0.0, deadline - time.monotonic())

    # -- the I/O thread ------------------------------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except OSError:
            pass  # the pipe is full (the I/O thread is awake anyway) or closed

    @staticmethod
    def _drain_pipe(s: socket.socket) -> None:
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass

    def _on_link_up(self, reconnect: bool) -> None:
        with self._lock:
            self._on_link_up_locked(reconnect)
            replies = self._drain_locked()
        self._settle(self._replies(replies, []))

    def _io_loop(self) -> None:
        poller = zmq.Poller()
        # By its number: pyzmq's poll names a ready non-zmq socket by its fd, not by the object
        # registered, so `self._wake_r in events` was never true, the pipe never drained, and this
        # thread spun at full CPU from its first wake-up on (issue 13, py-8mb).
        wake_fd = self._wake_r.fileno()
        poller.register(wake_fd, zmq.POLLIN)
        poller.register(self._link.monitor, zmq.POLLIN)
        watching = False
        # Fine enough to fail calls close to the end of the unavailable window.
        tick = min(1.0, self.resend_after, self.unavailable_after / 10)
        next_sweep = time.monotonic() + tick
        try:
            while not self._closed:
                with self._lock:
                    watch = self._io_watching = bool(self._pending) and self._reader is None
                    # About to sleep on ZMQ_FD: what a sender left readable would not signal it.
                    early = self._drain_locked() if watch else []
                if early:
                    self._settle(self._replies(early, []))
                if watch != watching:
                    if watch:
                        poller.register(self._fd, zmq.POLLIN)
                    else:
                        poller.unregister(self._fd)
                    watching = watch
                events = dict(poller.poll(max(0, int((next_sweep - time.monotonic()) * 1000)) + 1))
                if wake_fd in events:
                    self._drain_pipe(self._wake_r)
                if self._link.monitor in events:
                    self._link.on_event()  # probes the port at times: not under the lock
                done: List[Settled] = []
                expired: List[int] = []
                now = time.monotonic()
                with self._lock:
                    self._io_watching = False
                    self._fail_if_refused(done)
                    sweep = now >= next_sweep
                    if sweep and self._sweep_locked(now, done):
                        expired = self._expired(now)
                    replies = self._drain_locked() if watching or sweep else []
                if expired:
                    cause = self._link.down_cause()
                    with self._lock:
                        self._fail_unavailable(expired, cause, done)
                self._settle(self._replies(replies, done))
                if sweep:
                    next_sweep = now + tick
        finally:
            done = []
            with self._lock:
                self._sock_closed = True
                err = ClosedError("connection closed with the call pending")
                done.extend((p.future, False, err) for p in self._pending.values())
                self._pending.clear()
                self._link.close()
                self._socket.close(0)
            self._settle(done)
            # A reader still polling these sees them closed (POLLNVAL), then the closed socket.
            for s in (self._wake_r, self._wake_w, self._rwake_r, self._rwake_w):
                s.close()
