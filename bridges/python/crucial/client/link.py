"""
What the Python client knows about its link to a node, as ``core/protocol/transport/link.ts`` does for the
TypeScript one. libzmq sends the heartbeats (``ZMQ_HEARTBEAT_IVL`` / ``TIMEOUT`` / ``TTL``) and
reports the link through its socket monitor; it retries a refused connect without saying why, so
a plain TCP probe finds the cause (``ECONNREFUSED``, ...), at most once a second and only while no
link is up.
"""
from __future__ import annotations

import errno
import os
import re
import socket
import struct
import time
from typing import Callable, Dict, Optional

import zmq

from ..errors import InvalidOptionError
from .endpoint import ipc_path

#: LinkError code of a refusal at the handshake (missing or wrong credentials)
REFUSED = "ERR_UNAUTHORIZED"
# Handshake failures that mean the node refused us: another mechanism, its ERROR, keys that do not open.
_REFUSALS = {getattr(zmq, n) for n in ("PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH", "PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR",
                                      "PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC", "PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE") if hasattr(zmq, n)}

__all__ = ["LinkState", "LinkError", "unavailable_after_from_env", "DEFAULT_UNAVAILABLE_AFTER"]

#: seconds pending calls wait for a link when neither the keyword nor ``CRUCIAL_UNAVAILABLE_MS`` says
DEFAULT_UNAVAILABLE_AFTER = 2.0

_EVENTS = (
    zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED | zmq.EVENT_CONNECT_RETRIED
    | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_FAILED_AUTH
)
_PROTOCOL_ERRORS: Dict[int, str] = {
    getattr(zmq, name): name for name in dir(zmq) if name.startswith("PROTOCOL_ERROR_") and isinstance(getattr(zmq, name), int)
}


class LinkError(ConnectionError):
    """Why no link to the node is up; ``code`` is the errno name when the OS gave one (``ECONNREFUSED``)."""

    def __init__(self, message: str, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code


def _starting_grace(address: str) -> float:
    """
    Seconds a first link to ``address`` may take beyond the unavailable window: the node was handed its
    listening socket and is still loading (issue 10, start-up), so a call waits in its backlog; a
    refused connection (the node died) voids the grace.
    """
    from .context import STARTING_ENV

    raw = os.environ.get(STARTING_ENV, "").split()
    if len(raw) != 2 or raw[0] != address:
        return 0.0
    try:
        return max(0.0, float(raw[1]) - time.time())
    except ValueError:
        return 0.0


def unavailable_after_from_env() -> Optional[float]:
    """``CRUCIAL_UNAVAILABLE_MS`` in seconds, None when unset; a bad value raises InvalidOptionError."""
    raw = os.environ.get("CRUCIAL_UNAVAILABLE_MS")
    if raw is None or raw == "":
        return None
    try:
        ms = float(raw)
    except ValueError:
        ms = -1.0
    if not (ms > 0 and ms != float("inf")):
        raise InvalidOptionError(f"CRUCIAL_UNAVAILABLE_MS must be a positive number of milliseconds (got {raw!r})")
    return ms / 1000.0


def _probe(address: str, timeout: float = 0.25) -> LinkError:
    """A plain connect to ``tcp://host:port`` or ``ipc://path``: the OS says why libzmq could not connect."""
    path = ipc_path(address)
    if path is not None:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(timeout)
                s.connect(path)
                return _greeting_problem(s, address)
        except OSError as err:
            code = errno.errorcode.get(err.errno or 0) if err.errno else None
            return LinkError(f"connect {code or 'failed'} {path} ({err.strerror or err})", code)
    m = re.match(r"^tcp://\[?([^\]]+?)\]?:(\d+)$", address)
    if not m:
        return LinkError(f"cannot connect to {address}")
    host, port = m.group(1), int(m.group(2))
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            return _greeting_problem(s, address)
    except OSError as err:
        code = errno.errorcode.get(err.errno or 0) if err.errno else None
        if isinstance(err, socket.timeout):
            return LinkError(f"TCP connect to {host}:{port} did not complete within {timeout:g} s", "ETIMEDOUT")
        return LinkError(f"connect {code or 'failed'} {host}:{port} ({err.strerror or err})", code)


def _greeting_problem(s: socket.socket, address: str) -> LinkError:
    """Sends a ZMTP 3.1 NULL greeting and says what is wrong with the peer's answer."""
    greeting = bytearray(64)
    greeting[0], greeting[9], greeting[10], greeting[11] = 0xFF, 0x7F, 3, 1
    greeting[12:16] = b"NULL"
    got = b""
    try:
        s.sendall(bytes(greeting))
        # End our side: a server of another protocol waiting for more of a request answers now.
        s.shutdown(socket.SHUT_WR)
        while len(got) < 64:
            chunk = s.recv(64 - len(got))
            if not chunk:
                break
            got += chunk
    except OSError:
        pass
    if not got:
        return LinkError(f"{address} accepts TCP connections but sent no ZMTP greeting (a frozen or busy node, or another protocol)")
    if got[0] != 0xFF:
        return LinkError(f"not a ZMTP peer at {address}: it sent {got[:40]!r}", "EPROTO")
    mechanism = got[12:32].rstrip(b"\0").decode("latin1") if len(got) >= 32 else ""
    if mechanism and mechanism != "NULL":
        return LinkError(f"the DSO node at {address} requires {mechanism} credentials (set CRUCIAL_TOKEN or CRUCIAL_TOKEN_FILE, "
                         "or pass token=...; see README, \"Trust model\")", REFUSED)
    return LinkError(f"{address} speaks ZMTP, but the link with it was lost or its handshake failed")


_EVENT = struct.Struct("=Hi")


def _recv_event(monitor: zmq.Socket) -> Dict[str, int]:
    """
    One monitor event, without blocking, as ``zmq.utils.monitor.recv_monitor_message`` reads it (a
    16-bit event id and a 32-bit value in frame 0, the endpoint in frame 1). That module imports
    ``zmq.asyncio`` and so asyncio (~40 ms at a program's first connection, issue 10): not for 6 bytes.

    :raises zmq.Again: if no event is queued
    """
    msg = monitor.recv_multipart(zmq.NOBLOCK)
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError(f"Invalid event message format: {msg}")
    event, value = _EVENT.unpack(msg[0])
    return {"event": event, "value": value}


class LinkState:
    """
    Follows a DEALER's link through its monitor socket. Owned by the connection's I/O thread.

    :param sock: the DEALER (heartbeat options already set)
    :param address: what it connects to, for the probe and messages
    :param on_up: called with True on a reconnect (False on the first link)
    """

    def __init__(self, sock: zmq.Socket, address: str, on_up: Callable[[bool], None], mechanism: str = "NULL") -> None:
        self.address = address
        self.mechanism = mechanism
        self.monitor = sock.get_monitor_socket(_EVENTS)
        self.up = False
        # The unavailable window of pending calls counts from here: later for a node still loading.
        self.down_since = time.monotonic() + _starting_grace(address)
        self.cause: Optional[LinkError] = None
        #: what ended the last link, kept for the whole time no link is up
        self._lost: Optional[LinkError] = None
        self._ever_up = False
        self._last_probe = 0.0
        self._found: Optional[LinkError] = None
        self._on_up = on_up
        self._sock = sock

    def on_event(self) -> None:
        """Reads every queued monitor event."""
        while True:
            try:
                ev = _recv_event(self.monitor)
            except zmq.Again:
                return
            kind = ev["event"]
            if kind == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                self.up = True
                self.cause = self._lost = None
                reconnect, self._ever_up = self._ever_up, True
                self._on_up(reconnect)
            elif kind == zmq.EVENT_DISCONNECTED:
                if self.up:
                    self._lost = LinkError(f"link to {self.address} lost: the node closed it, or sent nothing within the heartbeat timeout")
                    self._down(self._lost)
            elif kind == zmq.EVENT_CONNECT_RETRIED:
                if not self.up:
                    self._down(self._probe())
            elif kind & (zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL | zmq.EVENT_HANDSHAKE_FAILED_AUTH):
                detail = _PROTOCOL_ERRORS.get(ev["value"], f"code {ev['value']:#x}") if kind == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL else "no detail"
                if self._refusal(kind, ev["value"]):
                    self._down(LinkError(f"the DSO node at {self.address} refused this client's {self.mechanism} credentials "
                                         f"({detail}): check the token or key (CRUCIAL_TOKEN, CRUCIAL_TOKEN_FILE)", REFUSED))
                    continue
                failed = LinkError(f"ZMTP handshake with {self.address} failed ({detail})")
                # libzmq says little about a peer that is not ZMTP: the probe shows what it sent.
                found = self._probe()
                self._down(found if found.code in ("EPROTO", REFUSED) else failed)

    def _refusal(self, kind: int, value: int) -> bool:
        if kind == zmq.EVENT_HANDSHAKE_FAILED_AUTH or (kind == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL and value in _REFUSALS):
            return True
        # libzmq 4.3's PLAIN spells ERROR's name "\x5eRROR" and takes a node's well-formed ERROR for an
        # unexpected command. (A handshake that failed with no detail is not taken as a refusal: a node
        # that died in the middle of it looks the same, and waiting may heal that.)
        unexpected = getattr(zmq, "PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND", -1)
        return self.mechanism == "PLAIN" and kind == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL and value == unexpected

    def _probe(self) -> LinkError:
        """A probe's finding, at most one probe a second (libzmq retries every 100 ms or more)."""
        now = time.monotonic()
        if self._found is None or now - self._last_probe >= 1.0:
            self._last_probe = now
            self._found = _probe(self.address)
        return self._found

    def down_cause(self) -> LinkError:
        """Why no link is up now, probing the port when libzmq has not said."""
        if self.cause is None:
            self._down(_probe(self.address))
        return self.cause  # type: ignore[return-value]

    def close(self) -> None:
        try:
            self._sock.disable_monitor()
        except zmq.ZMQError:
            pass
        self.monitor.close(0)

    def _down(self, cause: LinkError) -> None:
        if self.up:
            self.up = False
            self.down_since = time.monotonic()
        elif cause.code == "ECONNREFUSED":  # no socket there: a node that was loading has died, no grace
            self.down_since = min(self.down_since, time.monotonic())
        if self._lost is not None and cause is not self._lost:
            cause = LinkError(f"{self._lost}; since then: {cause}", cause.code)
        self.cause = cause
