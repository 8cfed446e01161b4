"""
A client's link to one DSO node, mirroring ``core/client/connection.ts``: a ZeroMQ DEALER, a sequence
number per call, and the pending calls keyed by it. ZeroMQ sockets are not thread-safe, so one I/O
thread owns the socket; callers hand it frames through a queue and a wake-up pipe, and wait on a
future. A call unanswered for ``resend_after`` seconds is sent again with the same (client, seq),
which the node applies at most once; calls written to a link that was then lost are sent again as
soon as the link is back. libzmq heartbeats find a half-open link. Pending calls fail with
:class:`~crucial.errors.UnavailableError`, whose ``__cause__`` says why (``ECONNREFUSED``, a lost
link...), when no link is up for ``unavailable_after`` seconds, or when the node answers nothing,
not even a ping, for ``resend_after + unavailable_after``.
"""
from __future__ import annotations

import json
import os
import queue
import re
import socket
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional, Sequence

import zmq

from ..errors import ClosedError, HighWaterMarkError, InvalidOptionError, UnauthorizedError, UnavailableError, error_from_data
from ..wire.codec import WireCodec, peek_seq
from ..wire.protocol import SYSTEM_TYPE, Kind, ObjectRef
from .credentials import Credentials, credentials_for
from .link import DEFAULT_UNAVAILABLE_AFTER, REFUSED, LinkState, unavailable_after_from_env

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


#: ``sent_at`` of a call libzmq could not take yet
_UNSENT = -1.0


class _Pending:
    __slots__ = ("future", "frames", "sent_at", "since")

    def __init__(self, future: "Future[Any]", frames: List[Any]) -> None:
        self.future = future
        self.frames = frames
        self.sent_at = 0.0
        self.since = 0.0


# The same form as core/protocol/transport/zmtp/endpoint.ts accepts, so both languages refuse the same addresses.
_TCP_ENDPOINT = re.compile(r"^tcp://(\[[^\]]+\]|[^:/]+):(\d+)$")


def check_address(address: Any) -> str:
    """
    Checks that ``address`` is a ``tcp://host:port`` endpoint, as the TypeScript SDK does.

    :param address: the address to check
    :return: the address
    :raises InvalidOptionError: if it is not one
    """
    m = _TCP_ENDPOINT.match(address) if isinstance(address, str) else None
    if m is None or int(m.group(2)) > 65535:
        raise InvalidOptionError(f"{json.dumps(address) if isinstance(address, str) else repr(address)} is not a tcp://host:port address")
    return address



class Connection:
    """
    A thread-safe connection to a DSO node.

    :param address: ``tcp://host:port`` of the node
    :param resend_after: resend an unanswered call after this many seconds (default 5)
    :param unavailable_after: seconds pending calls wait for a link (refused, lost, not ZMTP), or for
        an answer to a ping on a silent link, before failing with UnavailableError; default
        ``CRUCIAL_UNAVAILABLE_MS`` / 1000, else 2
    :param heartbeat_ivl: ZMQ_HEARTBEAT_IVL in seconds: PING the node this often (default 1; 0 turns heartbeats off)
    :param heartbeat_timeout: ZMQ_HEARTBEAT_TIMEOUT in seconds: drop a link that sends nothing this long after a PING (default 3)
    :param heartbeat_ttl: ZMQ_HEARTBEAT_TTL in seconds: the node drops our link after this long without hearing from us (default 10)
    :param send_hwm: ZMQ_SNDHWM, messages libzmq may hold for the node; a call past it fails at once
        with HighWaterMarkError (default 1000)
    :param revive_ref: turns references received in values into local objects (proxies)
    :param token: the node's PLAIN token
    :param credentials: PLAIN or CURVE :class:`Credentials`; default (neither given): those of a node this
        process started, else ``CRUCIAL_TOKEN_FILE`` / ``CRUCIAL_TOKEN`` (for the node ``CRUCIAL_DSO`` names),
        else the runtime file ``crucial dso start`` wrote for a node on loopback (README, "Trust model")
    :raises InvalidOptionError: if the address is not ``tcp://host:port`` or an option is out of range
    """

    def __init__(self, address: str, resend_after: float = 5.0, unavailable_after: Optional[float] = None,
                 revive_ref: Optional[Callable[[ObjectRef, "Connection"], Any]] = None, *,
                 heartbeat_ivl: float = 1.0, heartbeat_timeout: float = 3.0, heartbeat_ttl: float = 10.0,
                 send_hwm: int = 1000, token: Optional[str] = None, credentials: Optional[Credentials] = None) -> None:
        check_address(address)
        if token is not None and credentials is not None:
            raise InvalidOptionError("options.token and options.credentials exclude each other")
        creds = Credentials(token=token) if token is not None else credentials if credentials is not None else credentials_for(address)
        if not (isinstance(resend_after, (int, float)) and resend_after > 0):
            raise InvalidOptionError("options.resend_after must be a positive number")
        if unavailable_after is None:
            unavailable_after = unavailable_after_from_env() or DEFAULT_UNAVAILABLE_AFTER
        if not (isinstance(unavailable_after, (int, float)) and unavailable_after > 0):
            raise InvalidOptionError("options.unavailable_after must be a positive number")
        for name, value in (("heartbeat_ivl", heartbeat_ivl), ("heartbeat_timeout", heartbeat_timeout), ("heartbeat_ttl", heartbeat_ttl)):
            if not (isinstance(value, (int, float)) and 0 <= value <= 6553.5):
                raise InvalidOptionError(f"options.{name} must be a number of seconds from 0 to 6553.5")
        if not (isinstance(send_hwm, int) and send_hwm > 0):
            raise InvalidOptionError("options.send_hwm must be a positive integer")
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
        self._socket.setsockopt(zmq.SNDHWM, send_hwm)
        self._socket.setsockopt(zmq.RCVHWM, 0)
        self._socket.setsockopt(zmq.RECONNECT_IVL, 100)
        self._socket.setsockopt(zmq.RECONNECT_IVL_MAX, 2000)
        if creds is not None:
            creds.apply(self._socket)
        if heartbeat_ivl > 0:
            self._socket.setsockopt(zmq.HEARTBEAT_IVL, int(heartbeat_ivl * 1000))
            self._socket.setsockopt(zmq.HEARTBEAT_TIMEOUT, int(heartbeat_timeout * 1000))
            self._socket.setsockopt(zmq.HEARTBEAT_TTL, int(heartbeat_ttl * 1000))
        self._link = LinkState(self._socket, address, self._on_link_up, creds.mechanism if creds is not None else "NULL")
        self._socket.connect(address)
        self._thread = threading.Thread(target=self._io_loop, name=f"crucial-io {address}", daemon=True)
        self._thread.start()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    @property
    def connected(self) -> bool:
        """Whether a ZMTP link to the node is up (handshaken) now."""
        return self._link.up

    def call_async(self, type: str, key: str, method: str, args: Sequence[Any] = (), opts: Optional[Dict[str, Any]] = None) -> "Future[Any]":
        """
        Invokes ``method`` on object (type, key) at the node without waiting.

        :param type: object type name
        :param key: object key
        :param method: wire (camelCase) method name
        :param args: positional arguments
        :param opts: call options
        :return: a :class:`concurrent.futures.Future` of the result, or of the error :meth:`call` names
            (this method itself raises nothing)
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
        :raises CrucialError: the node's error rebuilt from its code (``BadArgumentError``, ``UnknownMethodError``...)
        :raises UnavailableError: if there was no link to the node for ``unavailable_after`` seconds
        :raises UnauthorizedError: if the node refused this client's credentials (or their absence) at the handshake
        :raises HighWaterMarkError: if ``send_hwm`` messages are already queued for the node
        :raises ClosedError: if the connection is closed
        :raises concurrent.futures.TimeoutError: if ``timeout`` passed first (the call may still take effect)
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
        poller.register(self._link.monitor, zmq.POLLIN)
        # Fine enough to fail calls close to the end of the unavailable window.
        tick = min(1.0, self.resend_after, self.unavailable_after / 10)
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
                if self._link.monitor in events:
                    self._link.on_event()
                    self._fail_if_refused()
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
            self._link.close()
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
                self._send(what)
                continue
            now = time.monotonic()
            if not self._pending:
                self._last_heard = now
            what.since = now
            what.sent_at = now if self._send(what.frames) else _UNSENT
            if what.sent_at == _UNSENT and self._link.up:
                what.future.set_exception(HighWaterMarkError(
                    f"libzmq holds {self._socket.getsockopt(zmq.SNDHWM)} messages for {self.address} already "
                    "(send high-water mark, send_hwm): the node reads too slowly"))
                continue
            # With no link up, libzmq may have no queue at all (after a failed handshake): the call
            # waits here, bounded by unavailable_after, and goes out when the link is back.
            self._pending[seq] = what
            self._fail_if_refused()

    def _send(self, frames: Sequence[Any]) -> bool:
        """False when libzmq's queue for the node is full (never blocks the I/O thread)."""
        try:
            self._socket.send_multipart(frames, zmq.NOBLOCK, copy=False)
            return True
        except zmq.Again:
            return False

    def _on_link_up(self, reconnect: bool) -> None:
        now = time.monotonic()
        self._last_heard = now
        # Calls written before the link was lost may have died with it; the node applies a resent call once.
        lost_at = self._link.down_since if reconnect else _UNSENT
        for p in self._pending.values():
            if p.sent_at <= lost_at:
                p.sent_at = now
                self._send(p.frames)

    def _on_reply(self, frames: List[Any]) -> None:
        self._last_heard = time.monotonic()
        try:
            reply = self._codec.decode_reply(frames)
        except Exception as err:
            # An unknown kind or a malformed envelope: fail the call its seq names, if any.
            self._fail_unreadable(frames, err)
            return
        p = self._pending.pop(reply.seq, None) if reply.seq is not None else None
        if p is None or p.future.done():
            return  # a duplicate reply to a resent call, or our own ping
        if reply.kind == Kind.OK:
            p.future.set_result(reply.payload)
        else:
            p.future.set_exception(error_from_data(reply.payload))

    def _fail_unreadable(self, frames: List[Any], err: Exception) -> None:
        # A reply we cannot read still names its seq if the envelope is intact: fail that call.
        try:
            import msgpack

            # raw: a string that is not UTF-8 (the very reason a reply may be unreadable) must not hide
            # the seq, or the call would be resent for ever and answered the same way each time.
            head = msgpack.unpackb(frames[0], raw=True, ext_hook=lambda c, d: None, strict_map_key=False)
            seq = peek_seq(head)
        except Exception:
            return  # nothing identifies the call; it will be resent
        p = self._pending.pop(seq, None) if type(seq) is int else None
        if p is not None and not p.future.done():
            p.future.set_exception(err)

    def _sweep(self, now: float) -> None:
        if not self._pending:
            return
        if not self._link.up:
            self._fail_unavailable(now)
            return
        silent = now - self._last_heard
        if silent > self.resend_after + self.unavailable_after:
            err = UnavailableError(f"DSO node at {self.address} did not answer for {silent:.3g} s, not even a ping, though the link is up")
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
            self._send(self._codec.encode_call(self.client_id, seq, SYSTEM_TYPE, "", "ping", []))
        for p in self._pending.values():
            if now - p.sent_at >= self.resend_after:
                p.sent_at = now
                self._send(p.frames)

    def _fail_if_refused(self) -> None:
        """The node refused our credentials: waiting does not heal that, every pending call fails now."""
        cause = self._link.cause
        if self._link.up or cause is None or cause.code != REFUSED or not self._pending:
            return
        for p in self._pending.values():
            if not p.future.done():
                p.future.set_exception(UnauthorizedError(f"DSO node at {self.address}: {cause}"))
        self._pending.clear()

    def _fail_unavailable(self, now: float) -> None:
        """No link: each pending call fails ``unavailable_after`` after the later of the loss and the call."""
        down_since = self._link.down_since
        expired = [seq for seq, p in self._pending.items() if max(down_since, p.since) + self.unavailable_after <= now]
        if not expired:
            return
        cause = self._link.down_cause()
        for seq in expired:
            p = self._pending.pop(seq)
            if not p.future.done():
                err = UnavailableError(f"DSO node at {self.address} unavailable: no link for {self.unavailable_after * 1000:g} ms ({cause})")
                err.__cause__ = cause
                p.future.set_exception(err)
