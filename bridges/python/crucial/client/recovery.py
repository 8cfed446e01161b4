"""
What a :class:`~crucial.client.connection.Connection` does when the node is slow, silent, refusing or
gone: resend unanswered calls with the same (client, seq), resend calls a lost link may have eaten as
soon as the link is back, and fail pending calls with ``UnavailableError`` / ``UnauthorizedError`` /
``BadFrameError`` when waiting cannot heal them. Every method here runs with the connection's socket
lock held and appends the futures it settles to ``done`` (``(future, ok, value)``), which the caller
settles once the lock is released (a future's callbacks must not run under it).
"""
from __future__ import annotations

import time
from concurrent.futures import Future
from typing import Any, Dict, List, Sequence, Tuple

from ..errors import UnauthorizedError, UnavailableError
from ..wire.codec import WireCodec, peek_seq
from ..wire.protocol import SYSTEM_TYPE
from .link import REFUSED, LinkState

__all__ = ["Recovery", "Pending", "UNSENT", "Settled"]

#: ``sent_at`` of a call libzmq could not take yet
UNSENT = -1.0

#: a future to settle once the socket lock is released: (future, ok, result or exception)
Settled = Tuple["Future[Any]", bool, Any]


class Pending:
    """A call sent (or waiting for a link) and not answered yet."""

    __slots__ = ("future", "frames", "sent_at", "since")

    def __init__(self, future: "Future[Any]", frames: List[Any]) -> None:
        self.future = future
        self.frames = frames
        self.sent_at = 0.0
        self.since = 0.0


class Recovery:
    """Resends and failure windows of a connection; mixed into it (the attributes are the connection's)."""

    address: str
    client_id: bytes
    resend_after: float
    unavailable_after: float
    _pending: Dict[int, Pending]
    _link: LinkState
    _last_heard: float
    _codec: WireCodec

    def _send(self, frames: Sequence[Any]) -> bool:  # pragma: no cover - the connection's
        raise NotImplementedError

    def _next_seq(self) -> int:  # pragma: no cover - the connection's
        raise NotImplementedError

    def _on_link_up_locked(self, reconnect: bool) -> None:
        now = time.monotonic()
        self._last_heard = now
        # Calls written before the link was lost may have died with it; the node applies a resent call once.
        lost_at = self._link.down_since if reconnect else UNSENT
        for p in self._pending.values():
            if p.sent_at <= lost_at:
                p.sent_at = now
                self._send(p.frames)

    def _fail_unreadable(self, frames: List[Any], err: Exception, done: List[Settled]) -> None:
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
        if p is not None:
            done.append((p.future, False, err))

    def _sweep_locked(self, now: float, done: List[Settled]) -> bool:
        """Resends and silence checks; True when the link is down and calls may have expired (see :meth:`_fail_unavailable`)."""
        if not self._pending:
            return False
        if not self._link.up:
            return True
        silent = now - self._last_heard
        if silent > self.resend_after + self.unavailable_after:
            err = UnavailableError(f"DSO node at {self.address} did not answer for {silent:.3g} s, not even a ping, though the link is up")
            done.extend((p.future, False, err) for p in self._pending.values())
            self._pending.clear()
            return False
        # Parked calls (barrier, latch) legitimately stay unanswered: a ping tells a slow node from a dead one.
        if silent > self.resend_after:
            self._send(self._codec.encode_call(self.client_id, self._next_seq(), SYSTEM_TYPE, "", "ping", []))
        for p in self._pending.values():
            if now - p.sent_at >= self.resend_after:
                p.sent_at = now
                self._send(p.frames)
        return False

    def _fail_if_refused(self, done: List[Settled]) -> None:
        """The node refused our credentials: waiting does not heal that, every pending call fails now."""
        cause = self._link.cause
        if self._link.up or cause is None or cause.code != REFUSED or not self._pending:
            return
        err = UnauthorizedError(f"DSO node at {self.address}: {cause}")
        done.extend((p.future, False, err) for p in self._pending.values())
        self._pending.clear()

    def _expired(self, now: float) -> List[int]:
        """With no link, each pending call fails ``unavailable_after`` after the later of the loss and the call."""
        down_since = self._link.down_since
        return [seq for seq, p in self._pending.items() if max(down_since, p.since) + self.unavailable_after <= now]

    def _fail_unavailable(self, expired: List[int], cause: Exception, done: List[Settled]) -> None:
        for seq in expired:
            p = self._pending.pop(seq, None)
            if p is not None:
                err = UnavailableError(f"DSO node at {self.address} unavailable: no link for {self.unavailable_after * 1000:g} ms ({cause})")
                err.__cause__ = cause
                done.append((p.future, False, err))
