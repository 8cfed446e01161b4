"""
Wire constants of crucial's protocol, version 1, mirroring ``core/protocol/wire/protocol.ts``. No logic lives
here beyond the two value types that travel inside envelopes.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "PROTOCOL_VERSION",
    "Kind",
    "Ext",
    "ARROW_KIND_KEY",
    "ARROW_KIND_ARRAY",
    "ARROW_KIND_TABLE",
    "ARROW_ARRAY_COLUMN",
    "SYSTEM_TYPE",
    "CallIndex",
    "ReplyIndex",
    "MAX_SAFE_INTEGER",
    "Int64",
    "ObjectRef",
]

#: Protocol version carried as the first element of every envelope.
PROTOCOL_VERSION = 1


class Kind:
    """Second element of every envelope."""

    CALL = 0
    OK = 1
    ERROR = 2


class Ext:
    """MessagePack extension type numbers used inside envelopes."""

    #: An Arrow IPC stream in a later frame; payload: uint32 big-endian frame index (1-based).
    ARROW = 1
    #: A signed 64-bit integer; payload: 8 bytes big-endian two's complement.
    INT64 = 2
    #: A reference to a shared object; payload: MessagePack array ``[type, key]``.
    REF = 3


ARROW_KIND_KEY = "crucial.kind"
ARROW_KIND_ARRAY = "array"
ARROW_KIND_TABLE = "table"
ARROW_ARRAY_COLUMN = "v"

#: Type name of the node's own system object (module upload, ping, stats).
SYSTEM_TYPE = "$system"


class CallIndex:
    """Positions inside a CALL envelope: ``[version, kind, client, seq, type, key, method, args, opts]``."""

    VERSION, KIND, CLIENT, SEQ, TYPE, KEY, METHOD, ARGS, OPTS = range(9)


class ReplyIndex:
    """Positions inside a reply envelope: ``[version, kind, seq, payload]``."""

    VERSION, KIND, SEQ, PAYLOAD = range(4)


#: Largest integer a JavaScript number holds exactly; Python ints beyond it travel as INT64.
MAX_SAFE_INTEGER = 2**53 - 1


class Int64(int):
    """
    An int that travels as the INT64 extension (a JavaScript ``bigint``) whatever its size. Decoded
    INT64 values are ``Int64`` so that re-encoding them is byte-identical.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Int64({int(self)})"


class ObjectRef(NamedTuple):
    """A reference to a shared object, as it travels inside values."""

    type: str
    key: str
