"""
Growing a pool whose workers wait on tasks still queued behind them: the parties of a barrier when
there are more parties than workers, a task that waits on the future of a later one. A worker runs one
task at a time, so such a program would wait forever. With every worker busy, the queue's first task
not taken for ``STALL_S`` and a busy worker that spent no CPU meanwhile (it waits, it does not
compute), one more worker starts, up to :func:`max_workers`. Busy workers that compute are left
alone: another process would only share their cores.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Dict, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .pool import WorkerPool

logger = logging.getLogger("crucial.worker.pool")

#: how long the queue's first task waits, with a worker idle on the CPU, before one more worker starts (s)
STALL_S = 1.0
#: how often the watch looks (s)
POLL_S = 0.25
#: CPU clock ticks (usually 10 ms) a waiting worker may still spend in a window (its heartbeats, a GC)
IDLE_TICKS = 2


def max_workers() -> int:
    """The most workers a pool grows to by itself (those asked for with ``workers`` aside)."""
    return max(64, 4 * (os.cpu_count() or 1))


def cpu_ticks(pid: int) -> Optional[int]:
    """User plus system CPU clock ticks of process ``pid`` (``/proc/<pid>/stat``); None where unreadable."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data.rsplit(b")", 1)[1].split()  # after "(comm)": state is field 3, utime 14, stime 15
    return int(fields[11]) + int(fields[12])


def start_watch(pool: "WorkerPool") -> threading.Thread:
    """Starts the watch of ``pool``'s queue (the caller holds the pool's lock and records the thread)."""
    t = threading.Thread(target=_watch, args=(pool,), name="crucial-pool-starvation", daemon=True)
    t.start()
    return t


def _watch(pool: "WorkerPool") -> None:
    head: object = None
    since = 0.0
    ticks: Dict[int, Optional[int]] = {}
    warned = False
    while True:
        time.sleep(POLL_S)
        with pool._lock:
            if pool._closed or not pool._queue:
                pool._starvation_watch = None
                return
            first = pool._queue[0]
            busy = [pool._pids.get(s.index) for s in pool._slots if not s.idle]
            size = len(pool._threads)
            idle_slot = any(s.idle for s in pool._slots)
        now = time.monotonic()
        current = {pid: cpu_ticks(pid) for pid in busy if pid}
        if first is not head or idle_slot:
            head, since, ticks = first, now, current
            continue
        if now - since < STALL_S:
            continue
        # Unreadable CPU times (no /proc) count as waiting: a stuck program is worse than one more process.
        waiting = sum(1 for pid, t in current.items() if t is None or ticks.get(pid) is None or t - ticks[pid] <= IDLE_TICKS)  # type: ignore[operator]
        if waiting and size < max_workers():
            log = logger.info if warned else logger.warning
            warned = True
            log("all %d workers are busy and %d of them wait (a barrier's parties, a future of a task not yet started) "
                "while tasks are queued: starting worker %d (executor workers=N starts N at once)", size, waiting, size + 1)
            pool.ensure(size + 1)
        head, since, ticks = first, now, current
