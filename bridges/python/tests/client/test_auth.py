"""
The Python client and a node that demands credentials: without them, or with wrong ones, nothing is
called or uploaded (UnauthorizedError, ERR_UNAUTHORIZED, raised at once); with the token or an admitted
CURVE key (pyzmq's CURVE against crucial's own ZMTP) calls go through. The nodes are real: the
session's embedded node (PLAIN, token made by Python) and ``crucial dso start --curve`` in a child process.
"""
import json
import os
import re
import stat
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
import zmq

from crucial.client.connection import Connection
from crucial.client.credentials import (Credentials, credentials_for, read_credentials_file, register_credentials, runtime_ipc_token_file,
                                        runtime_token_file)
from crucial.errors import ForbiddenError, UnauthorizedError

REPO = Path(__file__).resolve().parents[4]


def _marker_module(marker: Path) -> "tuple[str, str]":
    import hashlib

    code = f"import {{ appendFileSync }} from 'node:fs';\nappendFileSync({json.dumps(str(marker))}, 'ran\\n');\nexport const x = 1;\n"
    return hashlib.sha256(code.encode()).hexdigest(), code


@pytest.fixture()
def no_env_token(monkeypatch):
    """Clients that must find no credentials in the environment."""
    monkeypatch.delenv("CRUCIAL_TOKEN", raising=False)
    monkeypatch.delenv("CRUCIAL_TOKEN_FILE", raising=False)


def test_the_embedded_node_hands_its_token_to_this_process_s_clients(dso, conn):
    assert re.fullmatch(r"[0-9a-f]{64}", dso.token)
    assert credentials_for(dso.address).token == dso.token
    assert conn.ping() == "pong"


def test_a_client_without_credentials_or_with_a_wrong_token_calls_and_uploads_nothing(dso, key, tmp_path, no_env_token):
    marker = tmp_path / "ran"
    digest, code = _marker_module(marker)
    saved = credentials_for(dso.address)
    register_credentials(dso.address, None)
    try:
        for c in (Connection(dso.address, unavailable_after=5), Connection(dso.address, token="not-the-token-0123456789", unavailable_after=5)):
            with c:
                started = time.monotonic()
                with pytest.raises(UnauthorizedError) as info:
                    c.call("AtomicLong", key, "addAndGet", [1])
                assert info.value.code == "ERR_UNAUTHORIZED"
                # A refusal is final: it does not wait for the unavailable window.
                assert time.monotonic() - started < 4
                with pytest.raises(UnauthorizedError):
                    c.call("$system", "", "loadModule", [digest, code])
    finally:
        register_credentials(dso.address, saved)
    assert not marker.exists()
    with Connection(dso.address, token=dso.token) as owner:
        assert owner.call("AtomicLong", key, "get", []) == 0


def test_the_embedded_node_lets_its_own_program_upload(conn, tmp_path):
    marker = tmp_path / "ran"
    digest, code = _marker_module(marker)
    assert conn.call("$system", "", "loadModule", [digest, code]) == []
    assert marker.read_text() == "ran\n"


def test_credentials_files_hold_a_token_or_curve_keys(tmp_path):
    (tmp_path / "t").write_text("abcdef0123456789\n")
    assert read_credentials_file(tmp_path / "t").token == "abcdef0123456789"
    server_pk, _ = zmq.curve_keypair()
    pk, sk = zmq.curve_keypair()
    (tmp_path / "c").write_text(json.dumps({"serverKey": server_pk.decode(), "publicKey": pk.decode(), "secretKey": sk.decode()}))
    creds = read_credentials_file(tmp_path / "c")
    assert (creds.mechanism, creds.server_key) == ("CURVE", server_pk.decode())
    assert "abcdef" not in repr(read_credentials_file(tmp_path / "t"))


def _start_node(args, env):
    """``crucial dso start --port 0 ARGS`` in a child process: the process and the address of its ready line."""
    proc = subprocess.Popen([str(REPO / "core" / "cli" / "bin.js"), "dso", "start", "--port", "0", *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        m = re.search(r"ready at (tcp://\S+)", line)
        if m:
            return proc, m.group(1)
    proc.wait(10)
    raise AssertionError("the node did not start")


@pytest.fixture()
def curve_node(tmp_path):
    """``crucial dso start --curve DIR`` (crucial's ZMTP, CURVE), its runtime file kept in tmp_path."""
    keys = tmp_path / "keys"
    env = {**os.environ, "CRUCIAL_RUNTIME_DIR": str(tmp_path / "runtime")}
    env.pop("CRUCIAL_DSO", None)
    proc, address = _start_node(["--curve", str(keys)], env)
    yield address, json.loads((keys / "client.json").read_text())
    proc.terminate()
    proc.wait(10)


def test_pyzmq_curve_client_calls_crucial_s_zmtp_node_and_an_unlisted_key_is_refused(curve_node, no_env_token):
    address, client = curve_node
    admitted = Credentials(server_key=client["serverKey"], public_key=client["publicKey"], secret_key=client["secretKey"])
    with Connection(address, credentials=admitted) as c:
        assert c.call("AtomicLong", "curve", "addAndGet", [3]) == 3
        # Big enough for libzmq's long frames inside the box, both ways.
        big = "x" * 100_000
        c.call("AtomicMap", "blob", "put", ["k", big])
        assert c.call("AtomicMap", "blob", "get", ["k"]) == big
        # A large array goes as three frames (PROTOCOL.md §4.1), each its own box.
        arr = np.arange(300_000, dtype=np.float64) / 7
        c.call("AtomicReference", "curve-arr", "set", [arr])
        np.testing.assert_array_equal(c.call("AtomicReference", "curve-arr", "get", []), arr)
    pk, sk = zmq.curve_keypair()
    stranger = Credentials(server_key=client["serverKey"], public_key=pk.decode(), secret_key=sk.decode())
    with Connection(address, credentials=stranger, unavailable_after=5) as c:
        with pytest.raises(UnauthorizedError):
            c.call("AtomicLong", "curve", "get", [])
    with Connection(address, token="a-plain-token-0123456789", unavailable_after=5) as c:
        with pytest.raises(UnauthorizedError):
            c.call("AtomicLong", "curve", "get", [])


def test_errors_forbidden_and_unauthorized_are_rebuilt_from_their_codes():
    from crucial.errors import error_from_data

    assert isinstance(error_from_data({"code": "ERR_FORBIDDEN", "name": "ForbiddenError", "message": "m"}), ForbiddenError)
    assert isinstance(error_from_data({"code": "ERR_UNAUTHORIZED", "name": "UnauthorizedError", "message": "m"}), UnauthorizedError)


def test_after_a_kill_9_the_runtime_token_of_an_ephemeral_port_is_not_sent_to_what_listens_there_next(tmp_path, monkeypatch, no_env_token):
    runtime = tmp_path / "runtime"
    monkeypatch.setenv("CRUCIAL_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("CRUCIAL_DSO", raising=False)
    proc, address = _start_node([], dict(os.environ))
    try:
        port = int(address.rsplit(":", 1)[1])
        assert (runtime / f"dso-{port}.pid").read_text().strip() == str(proc.pid)
        assert credentials_for(address).mechanism == "PLAIN"
    finally:
        proc.kill()
        proc.wait(10)
    assert (runtime / f"dso-{port}.token").exists(), "no clean exit: the file stays"
    assert credentials_for(address) is None
    # A plain ROUTER (the NULL mechanism) on the port now: a call reaches it.
    ctx = zmq.Context()
    sink = ctx.socket(zmq.ROUTER)
    sink.setsockopt(zmq.LINGER, 0)
    try:
        sink.bind(address)
    except zmq.ZMQError:
        pytest.skip("the port was taken by another process meanwhile")
    try:
        with Connection(address, unavailable_after=5) as c:
            c.call_async("X", "k", "get", [])
            assert sink.poll(5000), "the call never arrived"
    finally:
        sink.close(0)
        ctx.term()


def test_a_python_client_of_a_cli_node_s_unix_socket_finds_its_token_in_the_socket_s_runtime_file(tmp_path, monkeypatch, no_env_token):
    runtime, sock = tmp_path / "runtime", tmp_path / "dso.sock"
    monkeypatch.setenv("CRUCIAL_RUNTIME_DIR", str(runtime))
    monkeypatch.delenv("CRUCIAL_DSO", raising=False)
    proc, address = _start_node(["--ipc", str(sock)], {**os.environ})
    try:
        token_file = runtime_ipc_token_file(str(sock))
        # The file the node (TypeScript) wrote is the one Python names: same hash of the same absolute path.
        assert token_file.exists() and stat.S_IMODE(token_file.stat().st_mode) == 0o600
        port = int(address.rsplit(":", 1)[1])
        assert token_file.read_text() == runtime_token_file(port).read_text()
        monkeypatch.chdir(tmp_path)
        assert credentials_for("ipc://dso.sock").token == token_file.read_text().strip()
        with Connection(f"ipc://{sock}") as c:
            assert c.call("AtomicLong", "ipc-auth", "addAndGet", [4]) == 4
        assert credentials_for(f"ipc://{tmp_path / 'other.sock'}") is None
    finally:
        proc.terminate()
        proc.wait(10)
