"""
crucial for Python: the shared objects of a crucial DSO node (same wire format as the TypeScript SDK),
a Lithops-compatible executor (:mod:`crucial.lithops`), jobs on the node's executor service (:mod:`crucial.jobs`)
and scikit-learn estimators trained on crucial (:mod:`crucial.ml`, scikit-learn loaded only when used).
"""
from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any, List

from . import errors
from .errors import CrucialError
from .wire.protocol import Int64, ObjectRef

if TYPE_CHECKING:  # what the names below load on first use, for type checkers and IDEs
    from . import system
    from .client.connection import Connection
    from .client.context import LocalDso, connect, default_connection, dso_address, ensure_dso, shutdown, start_local_dso
    from .client.credentials import Credentials
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
    from .wire.arrow import empty_array

# Each public name's module, imported when the name is first read (PEP 562; issue 10, start-up): a
# program that only runs tasks (crucial.lithops) or uses an atomic loads neither the other types nor
# numpy (AtomicMatrix) nor pyzmq before its first connection, and worker processes, which import
# this package first, start in a fraction of the time.
_LAZY = {
    "system": ".system",
    "Connection": ".client.connection",
    **dict.fromkeys(("LocalDso", "connect", "default_connection", "dso_address", "ensure_dso", "shutdown", "start_local_dso"), ".client.context"),
    "Credentials": ".client.credentials",
    "JobClient": ".jobs",
    "submit_job": ".jobs",
    "AtomicBoolean": ".objects.atomic_boolean",
    "AtomicByteArray": ".objects.atomic_byte_array",
    "AtomicCounter": ".objects.atomic_counter",
    "AtomicInt": ".objects.atomic_int",
    "AtomicList": ".objects.atomic_list",
    "AtomicLong": ".objects.atomic_long",
    "AtomicMap": ".objects.atomic_map",
    "AtomicMatrix": ".objects.atomic_matrix",
    "AtomicReference": ".objects.atomic_reference",
    "AtomicTreeMap": ".objects.atomic_tree_map",
    **dict.fromkeys(("RemoteObject", "SharedObject", "shared"), ".objects.shared_object"),
    "CountDownLatch": ".sync.count_down_latch",
    "CyclicBarrier": ".sync.cyclic_barrier",
    "Barrier": ".sync.cyclic_barrier",
    "Future": ".sync.future",
    "ScalableCyclicBarrier": ".sync.scalable_cyclic_barrier",
    "Semaphore": ".sync.semaphore",
    "empty_array": ".wire.arrow",
}

__all__ = [
    "errors",
    "empty_array",
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



def _version() -> str:
    from importlib import metadata

    try:
        # The installed distribution's version, which setup.py takes from package.json: one version string
        # for the npm and the Python package.
        return metadata.version("crucial")
    except metadata.PackageNotFoundError:  # imported from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":  # importlib.metadata costs 15-70 ms: read when asked for
        value: Any = _version()
    elif name in _LAZY:
        module = _import_module(_LAZY[name], __name__)
        value = module if name == "system" else getattr(module, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__) | {"__version__"})


__version__: str
