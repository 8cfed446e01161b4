"""
crucial for Python: the shared objects of a crucial DSO node (same wire format as the TypeScript SDK)
and a Lithops-compatible executor (:mod:`crucial.lithops`).
"""
from . import errors, system
from .client.connection import Connection
from .client.context import LocalDso, connect, default_connection, dso_address, shutdown, start_local_dso
from .errors import CrucialError
from .objects.atomic_long import AtomicLong
from .objects.shared_object import RemoteObject, SharedObject, shared
from .sync.cyclic_barrier import Barrier, CyclicBarrier
from .sync.future import Future
from .wire.protocol import Int64, ObjectRef

__all__ = [
    "errors",
    "system",
    "Connection",
    "LocalDso",
    "connect",
    "default_connection",
    "dso_address",
    "shutdown",
    "start_local_dso",
    "CrucialError",
    "SharedObject",
    "RemoteObject",
    "shared",
    "AtomicLong",
    "CyclicBarrier",
    "Barrier",
    "Future",
    "Int64",
    "ObjectRef",
]

__version__ = "0.1.0"
