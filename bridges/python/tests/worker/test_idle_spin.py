"""CRUCIAL_IDLE_SPIN_US: how long a caller watches its worker's pipe on an idle machine, and turning it off."""
import threading

import cloudpickle
import pytest
from crucial.errors import InvalidOptionError
from crucial.worker import pool as pool_module
from crucial.worker.pool import Task, WorkerPool, idle_spin_ns


def test_default_and_values():
    assert idle_spin_ns({}) == 200_000
    assert idle_spin_ns({"CRUCIAL_IDLE_SPIN_US": "  "}) == 200_000
    assert idle_spin_ns({"CRUCIAL_IDLE_SPIN_US": "0"}) == 0
    assert idle_spin_ns({"CRUCIAL_IDLE_SPIN_US": "12.5"}) == 12_500
    assert idle_spin_ns({"CRUCIAL_IDLE_SPIN_US": "1e3"}) == 1_000_000


@pytest.mark.parametrize("bad", ["-1", "fast", "inf", "nan", "1e400", "0x10", "0b11", "1_000", "\u0661\u0662", "-0"])
def test_bad_values_are_refused_naming_the_variable(bad):
    with pytest.raises(InvalidOptionError, match="CRUCIAL_IDLE_SPIN_US"):
        idle_spin_ns({"CRUCIAL_IDLE_SPIN_US": bad})


def _call(pool, n):
    out, done = [], threading.Event()
    task = Task(f"pow/{n}", "pow", cloudpickle.dumps(pow), cloudpickle.dumps(((2, n), {})),
                lambda ok, value, stats: (out.append((ok, value)), done.set()))
    pool.submit(task)
    if task.slot is None or not pool.read_reply(task):
        assert done.wait(60), "the task did not finish"
    return out[0]


@pytest.mark.parametrize("spin_us, spins", [("0", False), ("3000", True)])
def test_the_caller_watches_the_pipe_only_when_the_spin_is_on(monkeypatch, spin_us, spins):
    monkeypatch.setenv("CRUCIAL_IDLE_SPIN_US", spin_us)
    monkeypatch.setattr(pool_module, "_machine_idle", lambda: True)  # the load average is not the test's to decide
    watched = []
    real = pool_module._await_readable
    monkeypatch.setattr(pool_module, "_await_readable", lambda fd, ns: (watched.append(ns), real(fd, ns)))
    pool = WorkerPool(1)
    try:
        assert [_call(pool, n) for n in range(6)] == [(True, 2**n) for n in range(6)]
    finally:
        pool.shutdown()
    assert bool(watched) == spins and all(ns == 3_000_000 for ns in watched)


def test_a_bad_value_stops_the_pool_s_creation(monkeypatch):
    monkeypatch.setenv("CRUCIAL_IDLE_SPIN_US", "-5")
    with pytest.raises(InvalidOptionError, match="CRUCIAL_IDLE_SPIN_US"):
        WorkerPool(1)
