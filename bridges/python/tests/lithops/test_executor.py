import os
import socket
import time

import pytest

from crucial import errors
from crucial.lithops import ALL_COMPLETED, ALWAYS, ANY_COMPLETED, FunctionExecutor
from crucial.worker.pool import RemoteTraceback


def add(x, y):
    return x + y


def slow(x):
    time.sleep(x)
    return x


def fail(x):
    raise KeyError(f"no {x}")


def test_call_async_runs_a_function_and_get_result_returns_its_value():
    fexec = FunctionExecutor()
    fexec.call_async(add, (4, 6))
    assert fexec.get_result() == 10


def test_call_async_accepts_a_single_value_a_tuple_or_a_dict():
    fexec = FunctionExecutor()
    assert fexec.call_async(lambda x: x * 2, 21).result() == 42
    assert fexec.call_async(add, {"x": 2, "y": 8}).result() == 10


def test_map_binds_values_tuples_and_dicts_as_lithops_does():
    fexec = FunctionExecutor()
    assert fexec.map(add, [(1, 1), (2, 2)]).get_result() == [2, 4]
    assert fexec.map(add, [{"x": 1, "y": 2}]).get_result() == [3]
    assert fexec.map(add, [1, 2, 3], extra_args=(10,)).get_result() == [11, 12, 13]
    assert fexec.map(add, [{"x": 1}, {"x": 2}], extra_args={"y": 10}).get_result() == [11, 12]


def test_map_refuses_dict_items_that_do_not_name_the_parameters():
    with pytest.raises(ValueError, match="Check the args names"):
        FunctionExecutor().map(add, [{"z": 1}])


def test_a_function_with_an_id_parameter_gets_its_call_index():
    assert FunctionExecutor().map(lambda x, id: (x, id), ["a", "b"]).get_result() == [("a", 0), ("b", 1)]


def test_map_chains_on_the_futures_of_a_previous_job():
    fexec = FunctionExecutor()
    assert fexec.map(lambda x: x + 1, [1, 2, 3]).map(lambda x: x * 2).get_result() == [4, 6, 8]


def test_map_reduce_calls_the_reducer_with_every_map_result():
    fexec = FunctionExecutor()
    fexec.map_reduce(add, [(1, 1), (2, 2), (3, 3), (4, 4)], lambda results: sum(results))
    assert fexec.get_result() == 20


def test_calls_run_in_parallel_on_separate_worker_processes():
    # A rendezvous: each call checks in with the test over a socket and waits for a go that the test
    # sends only once both have checked in. Calls run one after the other would never both check in:
    # the accept below times out and the test fails, with no clock involved.
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def meet(_):
            with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
                arrived = time.time()
                s.sendall(b"here")
                assert s.recv(2) == b"go"
                return os.getpid(), arrived, time.time()

        fexec = FunctionExecutor(workers=2)
        futures = fexec.map(meet, [0, 1])
        server.settimeout(20)
        peers = [server.accept()[0] for _ in range(2)]
        for p in peers:
            assert p.recv(4) == b"here"
        for p in peers:
            p.sendall(b"go")
            p.close()
        calls = fexec.get_result(futures)
    pids = [pid for pid, _, _ in calls]
    assert len(set(pids)) == 2 and os.getpid() not in pids
    # Timestamps taken in the workers: both were inside their call at the same moment.
    assert max(arrived for _, arrived, _ in calls) <= min(left for _, _, left in calls)


def test_a_raised_exception_reaches_the_caller_with_the_remote_traceback():
    fexec = FunctionExecutor()
    fut = fexec.call_async(fail, "key")
    with pytest.raises(KeyError, match="no key") as info:
        fut.result()
    assert isinstance(info.value.__cause__, RemoteTraceback)
    assert "in fail" in info.value.__cause__.tb
    assert fut.error and fut.done
    assert fut.result(throw_except=False) is None


def test_a_worker_crash_reaches_the_caller_as_task_failed_with_the_exit_code():
    fexec = FunctionExecutor()
    with pytest.raises(errors.TaskFailedError, match="exited with code 7"):
        fexec.call_async(lambda x: os._exit(7), 0).result()
    assert fexec.call_async(add, (1, 2)).result() == 3  # the pool replaced the dead worker


def test_retries_run_a_failing_call_again(tmp_path):
    marker = tmp_path / "count"

    def flaky(x):
        n = int(marker.read_text()) if marker.exists() else 0
        marker.write_text(str(n + 1))
        if n < 2:
            os._exit(1) if n == 0 else (_ for _ in ()).throw(RuntimeError("second try fails"))
        return x

    assert FunctionExecutor(retries=2).call_async(flaky, 5).result() == 5
    assert marker.read_text() == "3"
    marker.unlink()
    with pytest.raises(errors.TaskFailedError):
        FunctionExecutor(retries=0).call_async(flaky, 5).result()


def test_a_call_past_its_timeout_is_stopped_and_fails_with_timeout():
    fexec = FunctionExecutor()
    with pytest.raises(errors.TimeoutError):
        fexec.call_async(slow, 5, timeout=0.3).result()


def test_wait_all_any_and_always():
    fexec = FunctionExecutor(workers=2)
    fs = fexec.map(slow, [0.0, 0.6])
    done, not_done = fexec.wait(fs, return_when=ALWAYS)
    assert len(done) + len(not_done) == 2
    done, not_done = fexec.wait(fs, return_when=ANY_COMPLETED)
    assert len(done) >= 1
    done, not_done = fexec.wait(fs, return_when=ALL_COMPLETED)
    assert len(done) == 2 and not not_done


def test_wait_raises_timeout_when_the_calls_take_longer():
    fexec = FunctionExecutor()
    with pytest.raises(TimeoutError):
        fexec.wait(fexec.call_async(slow, 1.0), timeout=0.2)


def test_wait_with_throw_except_off_returns_failed_futures_as_done():
    fexec = FunctionExecutor()
    done, _ = fexec.wait(fexec.map(fail, [1, 2]), throw_except=False)
    assert all(f.error for f in done)
    with pytest.raises(KeyError):
        fexec.wait(fexec.map(fail, [3]))


def test_futures_expose_status_result_and_done():
    fexec = FunctionExecutor()
    fut = fexec.call_async(add, (1, 2))
    assert fut.status()["exception"] is False
    assert fut.done and fut.result() == 3


def test_the_progress_bar_shows_on_long_waits_and_can_be_switched_off(capsys, monkeypatch):
    import importlib

    wait_mod = importlib.import_module("crucial.lithops.wait")

    monkeypatch.setattr(wait_mod, "progressbar_after", 0.05)
    fexec = FunctionExecutor()
    fexec.get_result(fexec.map(slow, [0.4]))
    assert "1/1" in capsys.readouterr().err
    quiet = FunctionExecutor(show_progressbar=False)
    quiet.get_result(quiet.map(slow, [0.4]))
    assert "1/1" not in capsys.readouterr().err


def test_the_executor_is_a_context_manager_and_clean_forgets_finished_futures():
    with FunctionExecutor() as fexec:
        fexec.map(add, [(1, 2)]).get_result()
        assert fexec.futures
    assert not fexec.futures


def test_bad_options_are_refused():
    with pytest.raises(errors.InvalidOptionError, match="workers must be a positive integer"):
        FunctionExecutor(workers=0)
    with pytest.raises(errors.InvalidOptionError, match="retries"):
        FunctionExecutor(retries=-1)


def test_arguments_and_results_of_every_kind_arrive_whether_plainly_pickled_or_cloudpickled():
    class Local:  # defined here: only cloudpickle can send it
        def __init__(self, v):
            self.v = v

    fexec = FunctionExecutor()
    atoms = (0, -7, 2.5, "s", b"b", True, None, 10**30)
    assert fexec.call_async(lambda *xs: xs, atoms).result() == atoms
    assert fexec.call_async(lambda f, x: f(x), (lambda v: v * 3, 5)).result() == 15
    assert fexec.call_async(lambda o: o.v, Local(9)).result() == 9
    assert fexec.call_async(lambda a, b: (a, b), {"a": 1, "b": [2, (3,)]}).result() == (1, [2, (3,)])
    for atom in atoms:  # results too: atoms pickled plainly, the rest by cloudpickle
        got = fexec.call_async(lambda i: atoms[i], atoms.index(atom)).result()
        assert got == atom and type(got) is type(atom)
    assert fexec.call_async(lambda x: (lambda y: x + y), 4).result()(3) == 7
    assert fexec.call_async(lambda v: Local(v), 8).result().v == 8


def _returns_a_lock(_):
    import threading

    return threading.Lock()


def test_what_cannot_be_pickled_is_a_not_serializable_error_with_its_code():
    import threading

    fexec = FunctionExecutor()
    lock = threading.Lock()
    # The call's arguments: refused in this process, on the future.
    with pytest.raises(errors.NotSerializableError, match="arguments cannot be pickled") as info:
        fexec.call_async(lambda x: 1, {"x": lock}).result()
    assert info.value.code == "ERR_NOT_SERIALIZABLE"
    # The function itself (what it closes over): refused at submission.
    with pytest.raises(errors.NotSerializableError, match="cannot be pickled"):
        fexec.call_async(lambda x: lock.locked(), 1)
    # The result, in the worker: it arrives as the same class.
    with pytest.raises(errors.NotSerializableError, match="result cannot be pickled"):
        fexec.call_async(_returns_a_lock, 1).result()
    assert fexec.call_async(add, (1, 2)).result() == 3


def test_an_executor_kept_across_shutdown_runs_its_next_job_on_the_next_node():
    from ..lithops.programs import run_program

    p = run_program("""
        import crucial
        from crucial import AtomicLong
        from crucial.lithops import FunctionExecutor

        def bump(_):
            return int(AtomicLong('after.shutdown', 0).add_and_get(1))

        fexec = FunctionExecutor(workers=1)
        assert fexec.get_result(fexec.map(bump, [0])) == [1]
        crucial.shutdown()
        # Nothing in this process touches an object first: the job itself must bring up the next node.
        print(fexec.get_result(fexec.map(bump, [0, 1])))
    """, timeout=90)
    assert p.returncode == 0, p.stderr
    assert sorted(eval(p.stdout.strip().splitlines()[-1])) == [1, 2]
