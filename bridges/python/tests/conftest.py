"""
Test helpers: a real DSO node (the repo's TypeScript ``dso/node.ts`` run by tsx) started once per
session on a free port, and a real Redis server where a test compares against it.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from crucial.client.context import LocalDso, connect, set_default_connection

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def dso() -> Iterator[LocalDso]:
    """A DSO node for the whole session; its address is exported in CRUCIAL_DSO for worker processes."""
    node = LocalDso(port=0, root=REPO)
    old = {name: os.environ.get(name) for name in ("CRUCIAL_DSO", "CRUCIAL_TOKEN")}
    os.environ["CRUCIAL_DSO"] = node.address
    # Worker processes and tsx snippets find the node's token as they find its address.
    os.environ["CRUCIAL_TOKEN"] = node.token
    set_default_connection(None)
    yield node
    set_default_connection(None)
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    node.stop()


@pytest.fixture()
def conn(dso: LocalDso):
    """A fresh connection to the session's node."""
    c = connect(dso.address)
    yield c
    c.close()


@pytest.fixture()
def key() -> str:
    """A key no other test uses."""
    return "t-" + uuid.uuid4().hex[:12]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A redis-server on 127.0.0.1 and a free port, stopped at the end; fails if none is installed."""
    exe = shutil.which("redis-server")
    if not exe:
        pytest.fail("redis-server is not installed (the test command installs it)")
    port = free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(5)


def run_tsx(code: str, env: dict = None, timeout: float = 60) -> str:
    """Runs a TypeScript snippet from the repo root with tsx; returns its stdout."""
    tsx = REPO / "node_modules" / ".bin" / "tsx"
    out = subprocess.run([str(tsx), "-e", code], cwd=REPO, capture_output=True, text=True, timeout=timeout,
                         env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise AssertionError(f"tsx failed ({out.returncode}):\n{out.stderr}")
    return out.stdout
