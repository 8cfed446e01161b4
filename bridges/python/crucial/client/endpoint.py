"""
The ``ipc://path`` addresses of a node's Unix socket, read as core/protocol/transport/zmtp/endpoint.ts
reads them. A module of its own, without zmq, so that starting a node (local_dso.py) does not load the
client.
"""
from __future__ import annotations

from typing import Optional

IPC_PREFIX = "ipc://"
#: the longest Unix socket path Linux takes (sun_path, with its NUL)
MAX_IPC_PATH_BYTES = 107


def ipc_path(address: str) -> Optional[str]:
    """The socket path of an ``ipc://path`` address; None for any other address."""
    return address[len(IPC_PREFIX):] if address.startswith(IPC_PREFIX) else None
