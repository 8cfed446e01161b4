"""Python worker processes: the process main (:mod:`crucial.worker.main`) and the pool that runs them (:mod:`crucial.worker.pool`)."""
from typing import TYPE_CHECKING, Any, List

if TYPE_CHECKING:
    from .pool import RemoteTraceback, Task, WorkerPool, shared_pool

__all__ = ["RemoteTraceback", "Task", "WorkerPool", "shared_pool"]


def __getattr__(name: str) -> Any:
    # The pool loads when first named: a worker process imports this package on its way to
    # crucial.worker.main and needs none of the pool (issue 10, start-up).
    if name in __all__:
        from . import pool

        value = getattr(pool, name)
        globals()[name] = value  # once: later lookups (and pdoc, which reads the module's __dict__) find it
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
