"""
A task handed straight to an idle worker has its reply read by the thread that waits for it
(``WorkerPool.read_reply``, issue 13): the slot's thread leaves the pipe alone meanwhile. Each task
here blocks in its worker on a FIFO until the test writes to it, so who reads the reply is decided
before the reply exists. Also: a reader that gives up leaves the reply to the slot's thread, and a
worker that dies while a caller reads is failed (no retry) or retried as the task says, exactly once.
"""
import os
import signal
import threading

import cloudpickle
import pytest

from crucial.errors import TaskFailedError
from crucial.worker.pool import Task, WorkerPool
from crucial.worker.slot import CLAIMED


def wait_fifo(path):
    with open(path) as f:
        return f.read(), os.getpid()


@pytest.fixture()
def pool():
    p = WorkerPool(1)
    yield p
    p.shutdown()


def submit(pool, fn, *args, retries=0, key="job"):
    """Submits ``fn(*args)``; returns the task and a list filled with ``(ok, value, thread name)`` by on_done."""
    out, done = [], threading.Event()

    def on_done(ok, value, stats):
        out.append((ok, value, threading.current_thread().name, stats["attempts"]))
        done.set()

    task = Task(f"{key}/0", key, cloudpickle.dumps(fn), cloudpickle.dumps((args, {})), on_done, retries=retries)
    pool.submit(task)
    return task, out, done


def claimed(pool):
    """An event set once a caller has claimed a reply (the pool points its slot's epoll away from the pipe)."""
    ev = threading.Event()
    orig = pool._watch

    def watch(slot):
        orig(slot)
        if slot.reader not in (None, CLAIMED):  # a thread, not the submit's claim
            ev.set()

    pool._watch = watch
    return ev


def warm(pool):
    task, out, done = submit(pool, os.getpid, key="warm")
    pool.read_reply(task)
    assert done.wait(60)
    return out[0][1]


def test_the_waiting_thread_reads_the_reply_of_a_task_handed_to_an_idle_worker(pool, tmp_path):
    warm(pool)
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    ev = claimed(pool)
    task, out, done = submit(pool, wait_fifo, str(fifo))
    res = []
    reader = threading.Thread(target=lambda: res.append(pool.read_reply(task)), name="the-caller")
    reader.start()
    assert ev.wait(60), "the caller did not claim the reply"
    fifo.write_text("go")
    reader.join(60)
    assert res == [True]
    assert done.is_set()
    assert out[0][:3] == (True, ("go", pool.pids[0]), "the-caller")


def test_a_reader_that_gives_up_leaves_the_reply_to_the_slots_thread(pool, tmp_path):
    warm(pool)
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    task, out, done = submit(pool, wait_fifo, str(fifo))
    assert pool.read_reply(task, timeout=0.05) is False  # nothing to read yet: it gives the pipe back
    fifo.write_text("go")
    assert done.wait(60)
    assert out[0][0] is True and out[0][1][0] == "go"
    assert out[0][2].startswith("crucial-worker-")
    assert pool.read_reply(task) is False  # read already: nothing to claim


@pytest.mark.parametrize("retries", [0, 1])
def test_a_worker_killed_while_its_caller_reads_fails_or_retries_the_task_once(pool, tmp_path, retries):
    first = warm(pool)
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    ev = claimed(pool)
    task, out, done = submit(pool, wait_fifo, str(fifo), retries=retries)
    res = []
    reader = threading.Thread(target=lambda: res.append(pool.read_reply(task)), name="the-caller")
    reader.start()
    assert ev.wait(60)
    os.kill(first, signal.SIGKILL)
    reader.join(60)
    assert res == [True]
    if retries == 0:
        assert done.wait(60)
        ok, err, thread, attempts = out[0]
        assert not ok and isinstance(err, TaskFailedError) and "exited with code" in str(err)
        assert thread == "the-caller" and attempts == 1
    else:  # run again, by the slot's thread, on a new worker: let it finish
        fd = os.open(fifo, os.O_WRONLY)  # blocks until the new worker opens it
        os.write(fd, b"again")
        os.close(fd)
        assert done.wait(60)
        ok, value, thread, attempts = out[0]
        assert ok and value[0] == "again" and value[1] != first and attempts == 2
    assert len(out) == 1
    # the pool goes on: the next task runs on a live worker
    task, out2, done2 = submit(pool, os.getpid, key="after")
    pool.read_reply(task)
    assert done2.wait(60)
    assert out2[0][0] and out2[0][1] != first
