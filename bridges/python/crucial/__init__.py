"""
crucial for Python: the shared objects of a crucial DSO node (same wire format as the TypeScript SDK),
a Lithops-compatible executor (:mod:`crucial.lithops`), jobs on the node's executor service (:mod:`crucial.jobs`)
and scikit-learn estimators trained on crucial (:mod:`crucial.ml`, scikit-learn loaded only when used).
"""
from importlib import metadata as _metadata

from . import errors, system
from .client.connection import Connection
from .client.context import LocalDso, connect, default_connection, dso_address, ensure_dso, shutdown, start_local_dso
from .client.credentials import Credentials
from .errors import CrucialError
from .jobs import JobClient, submit_job
from .objects.atomic_boolean import AtomicBoolean
from .objects.atomic_byte_array import AtomicByteArray
from .objects.atomic_counter import AtomicCounter
from .objects.atomic_int import AtomicInt
from .objects.atomic_list import AtomicList
from .objects.atomic_long import AtomicLong
from .objects.atomic_map import AtomicMap
from .objects.atomic_matrix import AtomicMatrix
from .objects.atomic_reference import AtomicReference
from .objects.atomic_tree_map import AtomicTreeMap
from .objects.shared_object import RemoteObject, SharedObject, shared
from .sync.count_down_latch import CountDownLatch
from .sync.cyclic_barrier import Barrier, CyclicBarrier
from .sync.future import Future
from .sync.scalable_cyclic_barrier import ScalableCyclicBarrier
from .sync.semaphore import Semaphore
from .wire.protocol import Int64, ObjectRef

__all__ = [
    "errors",
    "system",
    "Connection",
    "LocalDso",
    "connect",
    "default_connection",
    "dso_address",
    "ensure_dso",
    "shutdown",
    "start_local_dso",
    "Credentials",
    "CrucialError",
    "JobClient",
    "submit_job",
    "SharedObject",
    "RemoteObject",
    "shared",
    "AtomicInt",
    "AtomicLong",
    "AtomicBoolean",
    "AtomicReference",
    "AtomicByteArray",
    "AtomicCounter",
    "AtomicList",
    "AtomicMap",
    "AtomicTreeMap",
    "AtomicMatrix",
    "CyclicBarrier",
    "Barrier",
    "ScalableCyclicBarrier",
    "Semaphore",
    "CountDownLatch",
    "Future",
    "Int64",
    "ObjectRef",
]

try:
    # The installed distribution's version, which setup.py takes from package.json: one version string
    # for the npm and the Python package.
    __version__: str = _metadata.version("crucial")
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"
