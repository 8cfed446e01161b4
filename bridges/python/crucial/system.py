"""The node's own object (``$system``): liveness, user-module upload, housekeeping."""
from __future__ import annotations

import hashlib
from typing import Dict, List, Optional

from .client.connection import Connection
from .client.context import default_connection
from .wire.protocol import SYSTEM_TYPE

__all__ = ["ping", "stats", "delete", "clear_ephemeral", "load_module"]


def _conn(connection: Optional[Connection]) -> Connection:
    return connection or default_connection()


def ping(connection: Optional[Connection] = None) -> str:
    """:return: ``"pong"`` from the node."""
    return _conn(connection).call(SYSTEM_TYPE, "", "ping", [])


def stats(connection: Optional[Connection] = None) -> Dict[str, int]:
    """:return: ``{objects, clients, uptimeMs}`` of the node."""
    return dict(_conn(connection).call(SYSTEM_TYPE, "", "stats", []))


def delete(type_name: str, key: str, connection: Optional[Connection] = None) -> bool:
    """
    Removes one object from the node.

    :param type_name: the object's type
    :param key: the object's key
    :return: whether it existed
    """
    return bool(_conn(connection).call(SYSTEM_TYPE, "", "delete", [type_name, key]))


def clear_ephemeral(connection: Optional[Connection] = None) -> int:
    """:return: how many non-persistent objects the node dropped."""
    return int(_conn(connection).call(SYSTEM_TYPE, "", "clearEphemeral", []))


def load_module(code: str, connection: Optional[Connection] = None) -> List[str]:
    """
    Ships an ES module (JavaScript, e.g. a compiled TypeScript file) defining shared classes; the node
    registers every exported class marked shared (``static [Symbol.for('crucial.sharedClass')]``).

    :param code: the module's source
    :return: the names of the shared classes it defines
    """
    digest = hashlib.sha256(code.encode()).hexdigest()
    return list(_conn(connection).call(SYSTEM_TYPE, "", "loadModule", [digest, code]))
