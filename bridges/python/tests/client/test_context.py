"""
The process-wide context: a bad ``CRUCIAL_DSO`` is an InvalidOptionError (as in the TypeScript SDK),
and a worker process never starts a DSO node of its own.
"""
import pytest

from crucial import AtomicLong, connect, errors
from crucial.client import context

from ..lithops.programs import run_program


@pytest.fixture()
def fresh_default(monkeypatch):
    """The default connection is forgotten before and after, so the test's environment is what counts."""
    context.set_default_connection(None)
    yield monkeypatch
    monkeypatch.undo()
    context.set_default_connection(None)


@pytest.mark.parametrize("address", ["not-an-address", "tcp://127.0.0.1", "tcp://127.0.0.1:99999", "ipc://@abstract", "127.0.0.1:7700"])
def test_a_crucial_dso_that_is_not_a_tcp_or_ipc_address_is_an_invalid_option(fresh_default, address):
    fresh_default.setenv("CRUCIAL_DSO", address)
    with pytest.raises(errors.InvalidOptionError, match=r"is not a tcp://host:port or ipc://path address|abstract Unix sockets"):
        AtomicLong("k").get()
    with pytest.raises(errors.InvalidOptionError):
        connect(address)


def test_an_address_with_a_host_name_or_an_ipv6_host_is_accepted():
    for address in ("tcp://localhost:7700", "tcp://[::1]:7700", "tcp://10.0.0.5:1"):
        assert context.check_address(address) == address


def test_a_program_with_a_bad_crucial_dso_fails_with_invalid_option_not_a_zmq_error():
    out = run_program("from crucial import AtomicLong\nAtomicLong('k').get()\n", env={"CRUCIAL_DSO": "not-an-address"})
    assert out.returncode == 1
    assert out.stderr.strip().splitlines()[-1] == 'crucial.errors.InvalidOptionError: "not-an-address" is not a tcp://host:port or ipc://path address'


def test_a_worker_process_without_an_address_fails_instead_of_starting_a_node(fresh_default):
    fresh_default.delenv("CRUCIAL_DSO", raising=False)
    fresh_default.setenv("CRUCIAL_WORKER", "1")
    with pytest.raises(errors.UnavailableError, match="never starts a node of its own"):
        context.ensure_dso()
    with pytest.raises(errors.UnavailableError, match="never starts a node of its own"):
        AtomicLong("k").get()


def test_a_multiprocessing_child_without_the_parents_node_fails_instead_of_starting_its_own():
    # Started before the parent used crucial, each child would count alone on a node of its own.
    result = run_program("""
        import multiprocessing as mp

        def child(q):
            from crucial import AtomicLong, errors
            try:
                q.put(f"ok {AtomicLong('mp.k').add_and_get(1)}")
            except errors.UnavailableError as err:
                q.put(f"refused: {err}")

        if __name__ == "__main__":
            ctx = mp.get_context("fork")
            q = ctx.Queue()
            for _ in range(2):
                p = ctx.Process(target=child, args=(q,))
                p.start()
                print(q.get(timeout=60), flush=True)
                p.join()
                import crucial
                crucial.ensure_dso()  # the parent's node: the next child shares it
            from crucial import AtomicLong
            print("parent", AtomicLong("mp.k").get())
    """)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("refused: this multiprocessing child process has no DSO address"), result.stdout
    assert lines[1:] == ["ok 1", "parent 1"], result.stdout
