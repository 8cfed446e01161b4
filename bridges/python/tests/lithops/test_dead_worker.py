"""An executor whose idle worker was killed still runs the next call once, with no retry spent."""
import os
import select
import signal

from crucial.lithops import FunctionExecutor
from crucial.worker.pool import WorkerPool


def test_a_call_after_an_idle_worker_was_killed_succeeds_on_its_first_attempt():
    pool = WorkerPool(1)
    try:
        fexec = FunctionExecutor(pool=pool, retries=0, show_progressbar=False)
        pid = fexec.call_async(lambda _: os.getpid(), 0).result()
        gone = os.pidfd_open(pid)
        try:
            os.kill(pid, signal.SIGKILL)
            assert select.select([gone], [], [], 30)[0], "the killed worker did not exit"
        finally:
            os.close(gone)
        fut = fexec.call_async(lambda x: (x * 2, os.getpid()), 21)
        value, worker = fut.result()
        assert value == 42 and worker != pid
        assert fut.stats["attempts"] == 1
    finally:
        pool.shutdown()
