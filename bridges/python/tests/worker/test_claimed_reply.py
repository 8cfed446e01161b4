"""
The reply of a task handed to an idle worker is kept for its submitter from before the worker can send
it (``WorkerPool.submit`` claims it, issue 13): a worker that answers before the caller reaches
``read_reply`` no longer wakes the slot's thread, which used to read that reply and hand it over (on a
busy machine, most calls). A claim nobody reads is given up: by the submitting thread's next submit, by
``shutdown``, or by the slot's thread after a tick; the task then completes through the slot's thread, and
that thread stops claiming until it reads a reply through ``read_reply`` again.
"""
import os
import select
import threading

import cloudpickle
import pytest

from crucial.worker import slot_thread
from crucial.worker.pool import Task, WorkerPool
from crucial.worker.slot import CLAIMED


def warm(pool):
    """Runs tasks until every slot's worker is up and idle (a task submitted before that waits in the queue)."""
    for i in range(100_000):
        if all(s.idle and s.proc is not None for s in pool._slots):
            return
        task, out, done = submit(pool, os.getpid, key="warm", n=i)
        if task.slot is None or not pool.read_reply(task):
            assert done.wait(60)
    raise AssertionError("the pool's workers did not start")


@pytest.fixture()
def pool(monkeypatch):
    # A tick far longer than any test: only the claim's owner, its next submit or shutdown end a claim here.
    monkeypatch.setattr(slot_thread, "CLAIM_TICK_MS", 600_000)
    p = WorkerPool(2)
    warm(p)
    yield p
    p.shutdown()


def submit(pool, fn, *args, key="job", n=0):
    out, done = [], threading.Event()

    def on_done(ok, value, stats):
        out.append((ok, value, threading.current_thread().name))
        done.set()

    task = Task(f"{key}/{n}", key, cloudpickle.dumps(fn), cloudpickle.dumps((args, {})), on_done)
    pool.submit(task)
    return task, out, done


def answered(task):
    """Waits until the task's reply is in its worker's pipe (the worker has answered; nobody read it yet)."""
    assert select.select([task.slot.proc.conn], [], [], 60)[0], "the worker did not answer"


def test_a_reply_that_arrives_before_the_caller_reads_is_still_read_by_the_caller(pool):
    me = threading.current_thread().name
    for i in range(40):
        task, out, done = submit(pool, os.getpid, n=i)
        answered(task)  # armed, this reply would wake the slot's thread, which then raced the caller for it
        assert pool.read_reply(task), f"call {i}: the slot's thread took the reply"
        assert done.is_set() and out[0][0] is True and out[0][2] == me


def test_a_thread_that_submits_again_gives_its_unread_claim_to_the_slots_thread(pool):
    first, out1, done1 = submit(pool, os.getpid, n=1)
    second, out2, done2 = submit(pool, os.getpid, n=2)  # two idle workers: both handed over, the first claim dropped
    assert done1.wait(60), "the first task's reply was left unread"
    assert out1[0][0] is True and out1[0][2].startswith("crucial-worker-")
    assert pool.read_reply(second) or done2.wait(60)  # not claimed: see the next test
    assert out2[0][0] is True


def test_claims_of_other_threads_are_left_to_them(pool):
    res = {}
    t_ready, go = threading.Event(), threading.Event()

    def other():
        task, out, done = submit(pool, os.getpid, key="other")
        t_ready.set()
        go.wait(60)
        res["read"] = pool.read_reply(task)
        res["by"] = out[0][2] if out else None

    th = threading.Thread(target=other, name="other-caller")
    th.start()
    assert t_ready.wait(60)
    mine, out, done = submit(pool, os.getpid, key="mine")  # a submit by this thread must not drop the other's claim
    assert pool.read_reply(mine)
    go.set()
    th.join(60)
    assert res == {"read": True, "by": "other-caller"}


def test_shutdown_gives_up_claims_and_their_tasks_complete(monkeypatch):
    monkeypatch.setattr(slot_thread, "CLAIM_TICK_MS", 600_000)
    p = WorkerPool(1)
    warm(p)
    task, out, done = submit(p, os.getpid)
    answered(task)
    p.shutdown(wait=True)
    assert done.is_set() and out[0][0] is True and out[0][2] == "crucial-worker-0"


def test_a_claim_nobody_reads_is_given_up_after_a_tick():
    p = WorkerPool(1)  # the default tick
    try:
        warm(p)
        task, out, done = submit(p, os.getpid)
        assert task.slot is not None
        assert done.wait(60), "an unread claim was never given up"
        assert out[0][0] is True and out[0][2] == "crucial-worker-0"
    finally:
        p.shutdown()


def wait_fifo(path):
    with open(path) as f:
        return f.read()


def test_a_thread_that_left_a_claim_unread_stops_claiming_until_it_reads_a_reply_again(pool, tmp_path):
    first, _, done1 = submit(pool, os.getpid, n=1)
    assert first.slot.reader == CLAIMED
    second, _, done2 = submit(pool, os.getpid, n=2)  # drops the first claim: this thread did not read it
    assert second.slot.reader != CLAIMED, "a thread that left its claim unread claimed again"
    assert done1.wait(60) and done2.wait(60)  # both read by the slots' threads
    # Read a reply through read_reply (claimed at the read, before the reply exists): it claims again.
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    reading = threading.Event()
    orig = pool._watch

    def watch(slot):
        orig(slot)
        if slot.reader not in (None, CLAIMED):
            reading.set()

    pool._watch = watch
    third, out3, done3 = submit(pool, wait_fifo, str(fifo), key="fifo", n=3)
    assert third.slot is not None and third.slot.reader != CLAIMED
    writer = threading.Thread(target=lambda: reading.wait(60) and fifo.write_text("go"))
    writer.start()
    assert pool.read_reply(third)
    writer.join(60)
    assert out3[0][:2] == (True, "go")
    fourth, _, _ = submit(pool, os.getpid, n=4)
    assert fourth.slot.reader == CLAIMED
    assert pool.read_reply(fourth)
