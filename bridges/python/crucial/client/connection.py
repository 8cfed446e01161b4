"""
A client's link to one DSO node, mirroring ``core/client/connection.ts``: a ZeroMQ DEALER, a sequence
number per call, and the pending calls keyed by it. ZeroMQ sockets are not thread-safe, so a lock
guards the socket; a thread drains what is readable before it sleeps on the socket's ``ZMQ_FD``
(which only signals new arrivals), and one that touches the socket while another sleeps on it drains
for it. A blocking call runs the socket itself: the calling thread sends, then
waits on ``ZMQ_FD`` for its own reply and hands any other reply to its future, so a call costs no
thread switch beyond the reply's wake-up. A caller reads only for a call of its own alone in
flight; with several (threads calling at once, ``call_async`` futures nobody waits on with
``result()``) the I/O thread reads for all of them, as before. The I/O thread also keeps the link
events, resends and failure windows (:mod:`crucial.client.recovery`), and leaves the socket alone
while a caller reads, so it is not woken by the replies a caller reads itself.

A call unanswered for ``resend_after`` seconds is sent again with the same (client, seq), which the
node applies at most once; calls written to a link that was then lost are sent again as soon as the
link is back. libzmq heartbeats find a half-open link. Pending calls fail with
:class:`~crucial.errors.UnavailableError`, whose ``__cause__`` says why (``ECONNREFUSED``, a lost
link...), when no link is up for ``unavailable_after`` seconds, or when the node answers nothing,
not even a ping, for ``resend_after + unavailable_after``.
"""
from __future__ import annotations

import json
import os
import re
import select
import socket
import threading
import time
from concurrent.futures import Future, InvalidStateError
from typing import Any, Callable, Dict, List, Optional, Sequence

import zmq

from ..errors import ClosedError, HighWaterMarkError, InvalidOptionError, error_from_data
from ..wire.codec import WireCodec
from ..wire.protocol import SYSTEM_TYPE, Kind, ObjectRef
from .credentials import Credentials, credentials_for
from .endpoint import checked_ipc_path
from .link import DEFAULT_UNAVAILABLE_AFTER, LinkState, unavailable_after_from_env
from .readers import Readers
from .recovery import UNSENT, Pending, Settled

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


# Plain ints: pyzmq's constants are enums, and an int & an enum member runs Python enum code (µs a call).
_POLLIN = int(zmq.POLLIN)
_EVENTS = int(zmq.EVENTS)
_NOBLOCK = int(zmq.NOBLOCK)
_MORE = int(zmq.NOBLOCK | zmq.SNDMORE)


class _CallFuture(Future):
    """A call's future whose ``result()`` reads the socket in the calling thread when no one else does."""

    def __init__(self, conn: "Connection") -> None:
        super().__init__()
        self._conn = conn

    def result(self, timeout: Optional[float] = None) -> Any:
        """:meth:`concurrent.futures.Future.result`, the reply read by this thread when it can."""
        try:
            if not self.done():
                timeout = self._conn._read_for(self, timeout)
            return super().result(timeout)
        except KeyboardInterrupt:
            # Ctrl-C (a notebook's "interrupt kernel") in a wait: a call left parked on the node would
            # hold a permit or count a barrier party for a caller no longer waiting.
            self._conn._abandon(self)
            raise


# The same forms as core/protocol/transport/zmtp/endpoint.ts accepts, so both languages refuse the same addresses.
_TCP_ENDPOINT = re.compile(r"^tcp://(\[[^\]]+\]|[^:/]+):(\d+)$")


def check_address(address: Any) -> str:
    """
    Checks that ``address`` is a ``tcp://host:port`` endpoint, or ``ipc://path`` (a Unix socket on this
    host, as a node started with ``--ipc`` listens on), as the TypeScript SDK does.

    :param address: the address to check
    :return: the address
    :raises InvalidOptionError: if it is not one
    """
    if isinstance(address, str) and checked_ipc_path(address) is not None:
        return address
    m = _TCP_ENDPOINT.match(address) if isinstance(address, str) else None
    if m is None or int(m.group(2)) > 65535:
        shown = json.dumps(address) if isinstance(address, str) else repr(address)
        raise InvalidOptionError(f"{shown} is not a tcp://host:port or ipc://path address")
    return address


class Connection(Readers):
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
        # Guards the socket, _pending, _reader and _io_watching; held briefly, never while waiting.
        self._lock = threading.Lock()
        self._pending: Dict[int, Pending] = {}
        #: the future of the calling thread reading the socket now, if one is
        self._reader: Optional[Future] = None
        self._reader_tid: Optional[int] = None
        #: whether the I/O thread polls the socket now (a caller who starts reading wakes it to stop)
        self._io_watching = False
        self._sock_closed = False
        # _wake: the I/O thread's; _rwake: the reading caller's (its future settled by another thread).
        self._wake_r, self._wake_w = socket.socketpair()
        self._rwake_r, self._rwake_w = socket.socketpair()
        for s in (self._wake_r, self._wake_w, self._rwake_r, self._rwake_w):
            s.setblocking(False)
        self._closed = False
        self._last_heard = time.monotonic()
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
        self._fd = self._socket.getsockopt(zmq.FD)
        self._read_poll = select.poll()
        self._read_poll.register(self._fd, select.POLLIN)
        self._read_poll.register(self._rwake_r.fileno(), select.POLLIN)
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
            (this method itself raises nothing); its ``result()`` reads the reply in the calling thread
            when no other thread is reading

        A numpy array of 64 KiB or more among ``args`` is sent from its own memory, not copied, and
        read again if the call is resent: do not change it until the future settles.
        """
        return self._submit(type, key, method, args, opts, False)

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
        return self._submit(type, key, method, args, opts, True).result(timeout)

    def ping(self) -> Any:
        """Round trip to the node's system object; returns ``"pong"``."""
        return self.call(SYSTEM_TYPE, "", "ping", [])

    def send_raw(self, frames: Sequence[Any]) -> None:
        """Sends raw frames, bypassing the codec (tests of the node's handling of malformed input)."""
        done: List[Settled] = []
        with self._lock:
            if self._sock_closed:
                return
            self._send(list(frames))
            replies = self._drain_locked()
        self._settle(self._replies(replies, done))

    def _abandon(self, fut: Future) -> None:
        """
        The caller gave up on ``fut`` (interrupted): it is cancelled here and, if its call may be
        parked on the node, withdrawn there (``$system.cancel``, not waited for).
        """
        with self._lock:
            seq = next((s for s, p in self._pending.items() if p.future is fut), None)
            if seq is not None:
                del self._pending[seq]
        fut.cancel()
        if seq is not None and not self._closed:
            self.call_async(SYSTEM_TYPE, "", "cancel", [seq])

    def close(self) -> None:
        """Fails pending calls with :class:`ClosedError` and closes the socket."""
        if self._closed:
            return
        self._closed = True
        self._wake()
        if threading.current_thread() is not self._thread:
            self._thread.join(5)

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- sending -------------------------------------------------------------------------------------

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._seq += 1
            return self._seq

    def _submit(self, type: str, key: str, method: str, args: Sequence[Any], opts: Optional[Dict[str, Any]], blocking: bool) -> _CallFuture:
        fut = _CallFuture(self)
        if self._closed:
            fut.set_exception(ClosedError("connection is closed"))
            return fut
        seq = self._next_seq()
        try:
            frames = self._codec.encode_call(self.client_id, seq, type, key, method, args, opts)
        except Exception as err:  # encoding errors belong to the caller
            fut.set_exception(err)
            return fut
        done: List[Settled] = []
        wake = False
        with self._lock:
            if self._sock_closed:
                done.append((fut, False, ClosedError("connection is closed")))
                replies: List[List[Any]] = []
            else:
                self._admit(seq, Pending(fut, frames), done)
                # Sending may have taken the ZMQ_FD signal of a reply already here: drain for whoever
                # sleeps on it now (a caller or the I/O thread drains itself before it sleeps).
                replies = self._drain_locked() if self._reader is not None or self._io_watching else []
                # A blocking caller reads for itself; a future nobody may wait on needs the I/O thread.
                wake = not blocking and self._reader is None and not self._io_watching and seq in self._pending
        self._settle(self._replies(replies, done))
        if wake:
            self._wake()
        return fut

    def _admit(self, seq: int, p: Pending, done: List[Settled]) -> None:
        now = time.monotonic()
        if not self._pending:
            self._last_heard = now
        p.since = now
        p.sent_at = now if self._send(p.frames) else UNSENT
        if p.sent_at == UNSENT and self._link.up:
            done.append((p.future, False, HighWaterMarkError(
                f"libzmq holds {self._socket.getsockopt(zmq.SNDHWM)} messages for {self.address} already "
                "(send high-water mark, send_hwm): the node reads too slowly")))
            return
        # With no link up, libzmq may have no queue at all (after a failed handshake): the call
        # waits here, bounded by unavailable_after, and goes out when the link is back.
        self._pending[seq] = p
        self._fail_if_refused(done)

    def _send(self, frames: Sequence[Any]) -> bool:
        """False when libzmq's queue for the node is full (never blocks). Lock held."""
        sock, last = self._socket, len(frames) - 1
        try:
            # send_multipart's own flag arithmetic is on enums; a message's later parts never meet the HWM.
            for i, frame in enumerate(frames):
                sock.send(frame, _MORE if i < last else _NOBLOCK, copy=False)
            return True
        except zmq.Again:
            return False

    # -- receiving -----------------------------------------------------------------------------------

    def _drain_locked(self) -> List[List[Any]]:
        """Every message readable now (lock held); afterwards ZMQ_FD signals the next arrival."""
        sock = self._socket
        out: List[List[Any]] = []
        while sock.getsockopt(_EVENTS) & _POLLIN:
            f = sock.recv(_NOBLOCK, copy=False)
            parts = [f.buffer]
            while f.more:
                f = sock.recv(_NOBLOCK, copy=False)
                parts.append(f.buffer)
            out.append(parts)
        if out:
            self._last_heard = time.monotonic()
        return out

    def _replies(self, replies: List[List[Any]], done: List[Settled]) -> List[Settled]:
        """Decodes replies (outside the lock: reviving references runs user code) and claims their calls."""
        for frames in replies:
            try:
                reply = self._codec.decode_reply(frames)
            except Exception as err:
                # An unknown kind or a malformed envelope: fail the call its seq names, if any.
                with self._lock:
                    self._fail_unreadable(frames, err, done)
                continue
            if reply.seq is None:
                continue
            with self._lock:
                p = self._pending.pop(reply.seq, None)
            if p is None:
                continue  # a duplicate reply to a resent call, or our own ping
            if reply.kind == Kind.OK:
                done.append((p.future, True, reply.payload))
            else:
                done.append((p.future, False, error_from_data(reply.payload)))
        return done

    def _settle(self, done: List[Settled], by_reader: bool = False) -> None:
        """Completes futures outside the lock; wakes the reading caller when its own is among them."""
        for fut, ok, value in done:
            try:
                if ok:
                    fut.set_result(value)
                else:
                    fut.set_exception(value)
            except InvalidStateError:
                continue  # cancelled by its owner
            # Read after settling: either the reader registered first and is woken here, or it
            # registers later and sees its future done before it sleeps.
            if not by_reader and fut is self._reader:
                try:
                    self._rwake_w.send(b"\0")
                except OSError:
                    pass  # the pipe is full: the reader is awake anyway
