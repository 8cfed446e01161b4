"""A worker whose program was killed (kill -9, its pool never closed) ends even in the middle of a task."""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

PKG = Path(__file__).resolve().parents[2]

PROGRAM = textwrap.dedent("""
    import sys, time, cloudpickle
    from crucial.worker.pool import Task, WorkerPool

    def sleeper():
        import os
        print("worker", os.getpid(), flush=True)
        time.sleep(600)

    pool = WorkerPool(1)
    pool.submit(Task("t/0", "t", cloudpickle.dumps(sleeper), cloudpickle.dumps(((), {})), lambda ok, value, stats: None))
    time.sleep(600)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (reaped by nobody yet) is gone too.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_worker_running_a_long_task_ends_when_its_program_is_killed(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PKG), os.environ.get("PYTHONPATH", "")])}
    program = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    worker = None
    try:
        line = program.stdout.readline()
        assert line.startswith("worker "), f"no task started: {line!r}"
        worker = int(line.split()[1])
        assert _alive(worker)
        program.send_signal(signal.SIGKILL)
        program.wait(10)
        deadline = time.monotonic() + 20
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker), "the worker still runs its task 20 s after its program was killed"
    finally:
        if program.poll() is None:
            program.kill()
        if worker is not None and _alive(worker):
            os.kill(worker, signal.SIGKILL)
