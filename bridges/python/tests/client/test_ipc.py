"""
A node that also listens on a Unix socket (``start_local_dso(ipc=True)``, ``crucial dso start --ipc``):
the same objects over ``ipc://`` and TCP, arrays intact, the same credentials demanded, the socket
file its owner's only and gone with the node; ipc addresses checked as the TypeScript SDK checks them.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time

import numpy as np
import pytest

import crucial
import crucial.client.local_dso
from crucial.client.connection import Connection, check_address
from crucial.client.credentials import credentials_for, register_credentials
from crucial.errors import InvalidOptionError, UnauthorizedError


@pytest.fixture()
def no_env_token(monkeypatch):
    monkeypatch.delenv("CRUCIAL_TOKEN", raising=False)
    monkeypatch.delenv("CRUCIAL_TOKEN_FILE", raising=False)


def test_a_local_node_with_ipc_serves_the_same_objects_over_its_unix_socket_and_tcp():
    node = crucial.start_local_dso(ipc=True)
    try:
        assert node.ipc_address is not None and node.ipc_address.startswith("ipc://")
        path = node.ipc_address[len("ipc://"):]
        assert stat.S_ISSOCK(os.stat(path).st_mode)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, "only its owner may connect"
        assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
        values = np.random.default_rng(7).random(1_000_003)
        with crucial.connect(node.ipc_address) as over_ipc, crucial.connect(node.address) as over_tcp:
            crucial.AtomicReference("arr", connection=over_ipc).set(values)
            assert np.array_equal(crucial.AtomicReference("arr", connection=over_tcp).get(), values)
            back = crucial.AtomicReference("arr", connection=over_ipc).get()
            assert back.dtype == values.dtype and np.array_equal(back, values)
            assert [crucial.AtomicLong("n", connection=c).add_and_get(1) for c in (over_ipc, over_tcp, over_ipc)] == [1, 2, 3]
    finally:
        node.stop()
    assert not os.path.exists(path) and not os.path.exists(os.path.dirname(path)), "the socket and its directory go with the node"


def test_the_unix_socket_demands_the_node_s_token(no_env_token):
    with crucial.start_local_dso(ipc=True) as node:
        saved = credentials_for(node.ipc_address)
        assert saved is not None and saved.token == node.token
        register_credentials(node.ipc_address, None)
        try:
            for c in (Connection(node.ipc_address, unavailable_after=5), Connection(node.ipc_address, token="not-the-token-0123456789", unavailable_after=5)):
                with c, pytest.raises(UnauthorizedError):
                    c.call("AtomicLong", "x", "get", [])
        finally:
            register_credentials(node.ipc_address, saved)
        with Connection(node.ipc_address, token=node.token) as owner:
            assert owner.call("AtomicLong", "x", "get", []) == 0


def test_a_call_sent_over_ipc_before_the_node_has_loaded_waits_in_the_backlog_and_is_answered():
    # The Unix socket is made and listened on here and handed to the node, as its TCP port is (issue 10).
    node = crucial.client.local_dso.LocalDso(wait=False, ipc=True)
    try:
        assert node.client_address == node.ipc_address
        with Connection(node.ipc_address, unavailable_after=30) as c:
            assert c.ping() == "pong"
        node.wait_ready()
    finally:
        node.stop()


def test_the_embedded_default_node_hands_this_host_its_unix_socket(monkeypatch):
    from crucial.client import context

    # Both come back as they were when the test ends (the session's node exports its own).
    monkeypatch.delenv("CRUCIAL_DSO", raising=False)
    monkeypatch.delenv("CRUCIAL_TOKEN", raising=False)
    context.shutdown()
    try:
        address = context.ensure_dso()
        assert address.startswith("ipc://") and os.environ["CRUCIAL_DSO"] == address
        assert stat.S_IMODE(os.stat(address[len("ipc://"):]).st_mode) == 0o600
        assert context.default_connection().call("AtomicLong", "embedded-ipc", "addAndGet", [5]) == 5
    finally:
        context.shutdown()
    assert "CRUCIAL_DSO" not in os.environ


def test_a_tmpdir_too_deep_for_a_socket_path_falls_back_to_tmp(monkeypatch, tmp_path):
    deep = tmp_path / ("d" * 100)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches TMPDIR
    with crucial.start_local_dso(ipc=True) as node:
        assert node.ipc_address is not None and len(node.ipc_address.encode()) - len("ipc://") <= 107
        with crucial.connect(node.ipc_address) as c:
            assert c.ping() == "pong"


def test_a_unix_socket_that_cannot_be_made_leaves_the_node_on_tcp(monkeypatch):
    from crucial.client import local_dso
    from crucial.errors import UnavailableError

    def refuse(path):
        raise UnavailableError(f"the DSO node cannot listen on ipc://{path}: simulated")

    monkeypatch.setattr(local_dso, "_listen_unix", refuse)
    with local_dso.LocalDso(ipc=True) as node:
        assert node.ipc_address is None and node.client_address == node.address
        with crucial.connect(node.client_address) as c:
            assert c.ping() == "pong"


def test_with_crucial_transport_libzmq_a_local_node_starts_on_zeromq_js_over_tcp_and_takes_large_arrays(monkeypatch):
    # The node inherits CRUCIAL_TRANSPORT: zeromq.js binds its own port and has no Unix socket, so neither is
    # handed over (a node given them refused to start, with nothing said but an empty ready line).
    monkeypatch.setenv("CRUCIAL_TRANSPORT", "libzmq")
    with crucial.start_local_dso(ipc=True) as node:
        assert node.ipc_address is None and node.client_address == node.address
        with crucial.connect(node.address) as c:
            big = np.arange(200_000, dtype=np.float64)  # sent as three frames (PROTOCOL.md §4.1)
            c.call("AtomicReference", "lz", "set", [big])
            np.testing.assert_array_equal(c.call("AtomicReference", "lz", "get", []), big)


def test_a_local_node_that_exits_before_it_is_ready_is_named_with_its_exit_code(monkeypatch):
    from crucial.errors import UnavailableError

    monkeypatch.setenv("CRUCIAL_TRANSPORT", "carrier-pigeon")
    with pytest.raises(UnavailableError, match=r"exited with code 1 before it was ready \(its error is above, on stderr\)"):
        crucial.start_local_dso()


def test_a_program_killed_with_sigkill_leaves_no_socket_directory_behind(tmp_path):
    program = (
        "import sys, crucial\n"
        "node = crucial.start_local_dso(ipc=True)\n"
        "print(node.ipc_address, node.process.pid, flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    address, pid = child.stdout.readline().split()
    directory = os.path.dirname(address[len("ipc://"):])
    assert os.path.isdir(directory)
    child.kill()
    child.wait()
    # The node notices its parent is gone (its stdin closes), closes, and removes the directory.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (os.path.exists(directory) or _alive(int(pid))):
        time.sleep(0.05)
    assert not os.path.exists(directory)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("bad", ["ipc://", "ipc://@crucial", "ipc:///" + "x" * 120, "ipc:///a\0b", "unix:///tmp/x"])
def test_malformed_ipc_addresses_are_refused(bad):
    with pytest.raises(InvalidOptionError):
        check_address(bad)


def test_an_ipc_file_path_is_an_address():
    assert check_address("ipc:///run/crucial/dso.sock") == "ipc:///run/crucial/dso.sock"
