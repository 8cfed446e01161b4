"""
The worker pipe's messages, read and written on its file descriptor directly: the framing of
``multiprocessing.connection.Connection`` (a 4-byte big-endian length, or -1 and an 8-byte length),
so either end may still use a ``Connection`` for anything off the hot path. A small message costs one
``read`` and one ``write`` where ``Connection`` takes two reads and a ``BytesIO`` per read (issue 13:
~4 µs per side and message on this machine).
"""
from __future__ import annotations

import os
import struct
from multiprocessing.connection import Connection
from typing import Union

__all__ = ["Reader", "send_message"]

_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")
#: one read takes a whole small message (an empty task's is ~100 bytes) and anything sent after it
_CHUNK = 65536


def send_message(conn: Connection, data: bytes) -> None:
    """
    Writes one message (as ``conn.send_bytes(data)`` would).

    :param conn: the pipe's connection (its descriptor is written; it must be open)
    :param data: the message
    :raises OSError: if the pipe is closed or its other end gone
    """
    fd = conn.fileno()
    n = len(data)
    head = _SHORT.pack(n) if n <= 0x7FFFFFFF else _SHORT.pack(-1) + _LONG.pack(n)
    total = len(head) + n
    sent = os.writev(fd, (head, data))
    if sent < total:  # a signal or a full socket buffer cut it short: the rest, in order
        if sent < len(head):
            _write_all(fd, memoryview(head)[sent:])
            sent = len(head)
        _write_all(fd, memoryview(data)[sent - len(head):])


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view):]


class Reader:
    """
    Reads messages from one end of the pipe. Bytes read past a message (a peer that sent two) are kept
    for the next one, so nothing is lost whatever the peer does; a large message is read to its length.

    :param conn: the pipe's connection (its descriptor is read; closing it fails the next read)
    """

    __slots__ = ("conn", "buf")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buf = b""

    def fill(self) -> None:
        """
        Blocks until some of the next message is here. Nothing is consumed if this raises (an interrupt
        while waiting leaves the pipe as it was), so a caller can tell waiting from reading.

        :raises EOFError: if the other end closed the pipe
        """
        if not self.buf:
            self.buf = self._read(_CHUNK)

    def recv(self) -> Union[bytes, bytearray]:
        """
        The next message (as ``conn.recv_bytes()``).

        :raises EOFError: if the other end closed the pipe
        :raises OSError: if the pipe failed or was closed here
        """
        buf = self.buf or self._read(_CHUNK)
        while len(buf) < 4:
            buf += self._read(4 - len(buf))
        n = _SHORT.unpack_from(buf)[0]
        start = 4
        if n == -1:
            while len(buf) < 12:
                buf += self._read(12 - len(buf))
            n = _LONG.unpack_from(buf, 4)[0]
            start = 12
        end = start + n
        if len(buf) >= end:
            self.buf = buf[end:]
            return buf[start:end]
        self.buf = b""
        out = bytearray(buf[start:])
        while len(out) < n:
            out += self._read(min(n - len(out), 1 << 20))
        return out

    def _read(self, size: int) -> bytes:
        chunk = os.read(self.conn.fileno(), size)
        if not chunk:
            raise EOFError
        return chunk
