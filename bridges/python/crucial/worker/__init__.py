"""Python worker processes: the process main (:mod:`crucial.worker.main`) and the pool that runs them (:mod:`crucial.worker.pool`)."""
from .pool import RemoteTraceback, Task, WorkerPool, shared_pool

__all__ = ["RemoteTraceback", "Task", "WorkerPool", "shared_pool"]
