"""
A client's link to one DSO node, mirroring ``core/client/connection.ts``: a ZeroMQ DEALER, a sequence
number per call, and the pending calls keyed by it. ZeroMQ sockets are not thread-safe, so one I/O
thread owns the socket; callers hand it frames through a queue and a wake-up pipe, and wait on a
future. A call unanswered for ``resend_after`` seconds is sent again with the same (client, seq),
which the node applies at most once; if the node answers nothing at all for ``unavailable_after``
seconds, pending calls fail with :class:`~crucial.errors.UnavailableError`.
"""
from __future__ import annotations

import os
import queue
import socket
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional, Sequence

import zmq

from ..errors import BadFrameError, ClosedError, InvalidOptionError, UnavailableError, error_from_data
from ..wire.codec import WireCodec
from ..wire.protocol import SYSTEM_TYPE, Kind, ObjectRef

__all__ = ["Connection"]

_context_lock = threading.Lock()
_context: Optional[zmq.Context] = None
_context_pid = 0


def _zmq_context() -> zmq.Context:
    global _context, _context_pid
    with _context_lock:
        if _context is None or _context_pid != os.getpid():
            _context = zmq.Context()
            _context_pid = os.getpid()
        return _context


class _Pending:
    __slots__ = ("future", "frames", "sent_at")

    def __init__(self, future: "Future[Any]", frames: List[Any]) -> None:
        self.future = future
        self.frames = frames
        self.sent_at = 0.0


class Connection:
    """
    A thread-safe connection to a DSO node.

    :param address: ``tcp://host:port`` of the node
    :param resend_after: resend an unanswered call after this many seconds (default 5)
    :param unavailable_after: fail pending calls when the node was silent this long (default 30)
    :param revive_ref: turns references received in values into local objects (proxies)
    """

    def __init__(self, address: str, resend_after: float = 5.0, unavailable_after: float = 30.0,
                 revive_ref: Optional[Callable[[ObjectRef, "Connection"], Any]] = None) -> None:
        if not isinstance(address, str) or not address:
            raise InvalidOptionError("address must be a non-empty string such as tcp://127.0.0.1:7700")
        if not (isinstance(resend_after, (int, float)) and resend_after > 0):
            raise InvalidOptionError("options.resend_after must be a positive number")
        if not (isinstance(unavailable_after, (int, float)) and unavailable_after > 0):
            raise InvalidOptionError("options.unavailable_after must be a positive number")
        self.address = address
        self.client_id = os.urandom(8)
        self.resend_after = float(resend_after)
        self.unavailable_after = float(unavailable_after)
        self.pid = os.getpid()
        self._codec = WireCodec((lambda ref: revive_ref(ref, self)) if revive_ref else None)
        self._seq = 0
        self._seq_lock = threading.Lock()
        self._pending: Dict[int, _Pending] = {}
        self._outq: "queue.SimpleQueue[Optional[tuple]]" = queue.SimpleQueue()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._closed = False
        self._last_heard = time.monotonic()
        self._pinging = False
        self._socket = _zmq_context().socket(zmq.DEALER)
        self._socket.setsockopt(zmq.LINGER, 0)
        self._socket.setsockopt(zmq.SNDHWM, 0)
        self._socket.setsockopt(zmq.RCVHWM, 0)
        self._socket.connect(address)
        self._thread = threading.Thread(target=self._io_loop, name=f"crucial-io {address}", daemon=True)
        self._thread.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def call_async(self, type: str, key: str, method: str, args: Sequence[Any] = (), opts: Optional[Dict[str, Any]] = None) -> "Future[Any]":
        """
        Invokes ``method`` on object (type, key) at the node without waiting.

        :param type: object type name
        :param key: object key
        :param method: wire (camelCase) method name
        :param args: positional arguments
        :param opts: call options
        :return: a :class:`concurrent.futures.Future` of the result (or of the typed remote error)
        """
        fut: "Future[Any]" = Future()
        if self._closed:
            fut.set_exception(ClosedError("connection is closed"))
            return fut
        with self._seq_lock:
            self._seq += 1
            seq = self._seq
        try:
            frames = self._codec.encode_call(self.client_id, seq, type, key, method, args, opts)
        except Exception as err:  # encoding errors belong to the caller
            fut.set_exception(err)
            return fut
        self._outq.put((seq, _Pending(fut, frames)))
        self._wake()
        return fut

    def call(self, type: str, key: str, method: str, args: Sequence[Any] = (), opts: Optional[Dict[str, Any]] = None, timeout: Optional[float] = None) -> Any:
        """
        Invokes ``method`` on object (type, key) at the node and waits for the result.

        :param type: object type name
        :param key: object key
        :param method: wire (camelCase) method name
        :param args: positional arguments
        :param opts: call options
        :param timeout: seconds to wait locally; None waits until the node answers or is declared unavailable
        :return: the decoded result
        """
        return self.call_async(type, key, method, args, opts).result(timeout)

    def ping(self) -> Any:
        """Round trip to the node's system object; returns ``"pong"``."""
        return self.call(SYSTEM_TYPE, "", "ping", [])

    def send_raw(self, frames: Sequence[Any]) -> None:
        """Sends raw frames, bypassing the codec (tests of the node's handling of malformed input)."""
        self._outq.put((None, list(frames)))
        self._wake()

    def close(self) -> None:
        """Fails pending calls with :class:`ClosedError` and closes the socket."""
        if self._closed:
            return
        self._closed = True
        self._outq.put(None)
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(5)

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # the pipe is full: the I/O thread is awake anyway

    def _io_loop(self) -> None:
        sock = self._socket
        poller = zmq.Poller()
        poller.register(sock, zmq.POLLIN)
        poller.register(self._wake_r, zmq.POLLIN)
        tick = min(1.0, self.resend_after)
        next_sweep = time.monotonic() + tick
        try:
            while True:
                events = dict(poller.poll(max(0, int((next_sweep - time.monotonic()) * 1000)) + 1))
                if self._wake_r.fileno() in events:
                    try:
                        while self._wake_r.recv(4096):
                            pass
                    except (BlockingIOError, OSError):
                        pass
                if not self._drain_outq():
                    break
                if sock in events:
                    while True:
                        try:
                            frames = sock.recv_multipart(zmq.NOBLOCK, copy=False)
                        except zmq.Again:
                            break
                        self._on_reply([f.buffer for f in frames])
                now = time.monotonic()
                if now >= next_sweep:
                    self._sweep(now)
                    next_sweep = now + tick
        finally:
            err = ClosedError("connection closed with the call pending")
            for p in self._pending.values():
                if not p.future.done():
                    p.future.set_exception(err)
            self._pending.clear()
            sock.close(0)
            self._wake_r.close()
            self._wake_w.close()

    def _drain_outq(self) -> bool:
        while True:
            try:
                item = self._outq.get_nowait()
            except queue.Empty:
                return True
            if item is None:
                return False
            seq, what = item
            if seq is None:
                self._socket.send_multipart(what, copy=False)
                continue
            if not self._pending:
                self._last_heard = time.monotonic()
            what.sent_at = time.monotonic()
            self._pending[seq] = what
            self._socket.send_multipart(what.frames, copy=False)

    def _on_reply(self, frames: List[Any]) -> None:
        self._last_heard = time.monotonic()
        try:
            v = self._codec.decode_value(frames)
        except Exception as err:
            self._fail_unreadable(frames, err)
            return
        seq = v[2]
        p = self._pending.pop(seq, None) if type(seq) is int else None
        if p is None or p.future.done():
            return  # a duplicate reply to a resent call, or our own ping
        kind = v[1]
        if kind == Kind.OK:
            p.future.set_result(v[3])
        elif kind == Kind.ERROR:
            p.future.set_exception(error_from_data(v[3]))
        else:
            p.future.set_exception(BadFrameError(f"unexpected reply kind {kind!r}"))

    def _fail_unreadable(self, frames: List[Any], err: Exception) -> None:
        # A reply we cannot read still names its seq if the envelope is intact: fail that call.
        try:
            import msgpack

            head = msgpack.unpackb(frames[0], raw=False, ext_hook=lambda c, d: None, strict_map_key=False)
            seq = head[2] if isinstance(head, list) and len(head) > 2 else None
        except Exception:
            return  # nothing identifies the call; it will be resent
        p = self._pending.pop(seq, None) if type(seq) is int else None
        if p is not None and not p.future.done():
            p.future.set_exception(err)

    def _sweep(self, now: float) -> None:
        # Forget calls whose caller gave up (e.g. a local timeout cancelled nothing, but the future is done).
        if not self._pending:
            return
        silent = now - self._last_heard
        if silent > self.unavailable_after:
            err = UnavailableError(f"DSO node at {self.address} did not answer for {self.unavailable_after:g} s")
            for p in self._pending.values():
                if not p.future.done():
                    p.future.set_exception(err)
            self._pending.clear()
            return
        # Parked calls (barrier, latch) legitimately stay unanswered: a ping tells a slow node from a dead one.
        if silent > self.resend_after:
            with self._seq_lock:
                self._seq += 1
                seq = self._seq
            self._socket.send_multipart(self._codec.encode_call(self.client_id, seq, SYSTEM_TYPE, "", "ping", []), copy=False)
        for p in self._pending.values():
            if now - p.sent_at >= self.resend_after:
                p.sent_at = now
                self._socket.send_multipart(p.frames, copy=False)
