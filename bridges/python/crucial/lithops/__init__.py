"""
A Lithops-compatible executor on crucial: ``from crucial.lithops import FunctionExecutor`` in place of
``from lithops import FunctionExecutor``. Functions run on warm local worker processes and share state
through crucial objects (``crucial.AtomicLong``, ``crucial.AtomicMap``, ``crucial.CyclicBarrier``...)
instead of Redis.
"""
from .executor import FunctionExecutor, LocalhostExecutor
from .future import ResponseFuture
from .utils import FuturesList
from .wait import ALL_COMPLETED, ALWAYS, ANY_COMPLETED, get_result, wait

__all__ = [
    "FunctionExecutor",
    "LocalhostExecutor",
    "ResponseFuture",
    "FuturesList",
    "wait",
    "get_result",
    "ALL_COMPLETED",
    "ANY_COMPLETED",
    "ALWAYS",
]
