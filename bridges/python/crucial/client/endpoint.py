"""
The ``ipc://path`` addresses of a node's Unix socket, read as core/protocol/transport/zmtp/endpoint.ts
reads them. A module of its own, without zmq, so that starting a node (local_dso.py) does not load the
client.
"""
from __future__ import annotations

import json
from typing import Optional

from ..errors import InvalidOptionError

IPC_PREFIX = "ipc://"
#: the longest Unix socket path Linux takes (sun_path, with its NUL)
MAX_IPC_PATH_BYTES = 107


def ipc_path(address: str) -> Optional[str]:
    """The socket path of an ``ipc://path`` address; None for any other address."""
    return address[len(IPC_PREFIX):] if address.startswith(IPC_PREFIX) else None


def checked_ipc_path(address: str) -> Optional[str]:
    """
    The socket path of an ``ipc://path`` address, checked as the TypeScript side checks it; None for
    any other address.

    :raises InvalidOptionError: for an empty path, a NUL in it, an abstract name (``@...``: no file
        permissions guard it) or a path over :data:`MAX_IPC_PATH_BYTES`
    """
    path = ipc_path(address)
    if path is None:
        return None
    if path == "" or "\0" in path:
        raise InvalidOptionError(f"{json.dumps(address)} is not an ipc://path address")
    if path.startswith("@"):
        raise InvalidOptionError(f"{json.dumps(address)}: abstract Unix sockets are not supported (no file permissions guard them); give a file path")
    if len(path.encode()) > MAX_IPC_PATH_BYTES:
        raise InvalidOptionError(f"{json.dumps(address)}: a Unix socket path is at most {MAX_IPC_PATH_BYTES} bytes")
    return path
