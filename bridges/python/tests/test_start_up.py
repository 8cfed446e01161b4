"""
Start-up (issue 10): what a program and its worker processes load before their first result. numpy,
pyarrow, asyncio (pyzmq's monitor helper) and cloudpickle's import in a worker load on first use, so
a program that uses an atomic, or runs a task, does not pay for them; arrays still travel once they
are used; the executor spawns its workers before it waits for its node; a node that does not start
(a ``node`` too old) is still named. Each check runs in a fresh interpreter: this one has loaded
everything already.
"""
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from crucial.client import context, local_dso
from crucial.errors import UnavailableError

PKG = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pyarrow", "asyncio", "crucial.objects.atomic_matrix")


def run(code: str, cwd: Path) -> dict:
    """Runs ``code`` in a fresh python with this package on its path; returns the JSON it prints last."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PKG), os.environ.get("PYTHONPATH", "")])}
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_a_program_using_an_atomic_loads_neither_numpy_nor_pyarrow(dso, key, tmp_path):
    out = run(f"""
        import json, sys
        import crucial
        counter = crucial.AtomicLong({key!r})
        value = counter.add_and_get(5)
        print(json.dumps({{"value": value, "loaded": [m for m in {HEAVY!r} if m in sys.modules]}}))
    """, tmp_path)
    assert out == {"value": 5, "loaded": []}


def test_an_array_still_travels_both_ways_when_numpy_and_pyarrow_load_late(dso, key, tmp_path):
    # The writer imports numpy only after crucial has connected; the reader never imports either itself.
    out = run(f"""
        import json, sys
        import crucial
        ref = crucial.AtomicReference({key!r})
        ref.set(1)
        import numpy as np
        ref.set(np.arange(5, dtype=np.float64) * 1.5)
        print(json.dumps({{"pyarrow": "pyarrow" in sys.modules}}))
    """, tmp_path)
    assert out == {"pyarrow": True}  # loaded to encode the array, not before
    out = run(f"""
        import json, sys
        import crucial
        before = [m for m in ("numpy", "pyarrow") if m in sys.modules]
        value = crucial.AtomicReference({key!r}).get()
        print(json.dumps({{"before": before, "type": type(value).__module__ + "." + type(value).__name__, "value": value.tolist()}}))
    """, tmp_path)
    assert out == {"before": [], "type": "numpy.ndarray", "value": [0.0, 1.5, 3.0, 4.5, 6.0]}


def test_a_reference_revives_as_its_proxy_type_on_a_bare_connection(dso, key, tmp_path, conn):
    from crucial.wire.protocol import ObjectRef

    conn.call("AtomicReference", key, "set", [ObjectRef("AtomicMatrix", key + "-m")])
    out = run(f"""
        import json
        from crucial.client.context import connect
        c = connect({dso.address!r})
        value = c.call("AtomicReference", {key!r}, "get", [])
        print(json.dumps([type(value).__name__, value.key]))
        c.close()
    """, tmp_path)
    assert out == ["AtomicMatrix", key + "-m"]


def test_workers_run_tasks_and_import_the_users_module_without_the_heavy_modules(dso, tmp_path):
    (tmp_path / "usermod.py").write_text("import sys\n\ndef loaded(x):\n    return [x, [m for m in %r if m in sys.modules]]\n" % (HEAVY,))
    out = run("""
        import json, sys
        from crucial.lithops import FunctionExecutor
        from usermod import loaded
        fexec = FunctionExecutor(workers=2)
        results = fexec.get_result(fexec.map(loaded, [1, 2, 3, 4]))
        parent = [m for m in %r if m in sys.modules]
        fexec.clean()
        print(json.dumps({"results": results, "parent": parent}))
    """ % (HEAVY,), tmp_path)
    assert out == {"results": [[1, []], [2, []], [3, []], [4, []]], "parent": []}


def test_the_executor_spawns_its_workers_before_it_waits_for_its_node(tmp_path):
    # The node's ready line is held back until the workers are up: an executor that waited for its node
    # before spawning them would wait forever (here: fail after 60 s).
    out = run("""
        import json, os, time
        from crucial.client import context
        from crucial.worker import pool as pool_module
        os.environ.pop("CRUCIAL_DSO", None)
        os.environ.pop("CRUCIAL_TOKEN", None)
        ready = context.LocalDso.wait_ready

        def held(self):
            deadline = time.monotonic() + 60
            while not (pool_module._shared is not None and len(pool_module._shared.pids) == 2):
                if time.monotonic() > deadline:
                    raise SystemExit("the workers were not spawned while the node started")
                time.sleep(0.01)
            return ready(self)

        context.LocalDso.wait_ready = held
        from crucial.lithops import FunctionExecutor
        from crucial import AtomicLong
        fexec = FunctionExecutor(workers=2)
        value = fexec.call_async(lambda: AtomicLong("overlap").add_and_get(3), ()).result()
        fexec.clean()
        print(json.dumps(value))
    """, tmp_path)
    assert out == 3


def test_a_task_gets_its_result_while_the_bundled_node_still_loads_and_one_calling_it_waits_for_it(tmp_path, key):
    # The node (the checkout's, standing for the bundled one) is held before it loads until the program
    # lets it go, after its first result, or after 60 s: an executor that waited for the node's ready
    # line gets that result only then. The node is handed its listening socket, so the second task's
    # call waits in its backlog and is answered once it has loaded. Its unavailable window is cut to
    # 50 ms, far less than the node (through tsx) takes to load once let go: the call is answered only
    # because a first link to a node still loading gets a grace (CRUCIAL_DSO_STARTING).
    fifo = tmp_path / "gate"
    os.mkfifo(fifo)
    out = run(f"""
        import json, os, sys, threading
        os.environ.pop("CRUCIAL_DSO", None)
        os.environ.pop("CRUCIAL_TOKEN", None)
        os.environ["CRUCIAL_UNAVAILABLE_MS"] = "50"
        from crucial.client import local_dso
        real = local_dso._node_command
        GATE = "import os, sys\\nwith open(sys.argv[1], 'rb') as f: f.read(1)\\nos.chdir(sys.argv[2])\\nos.execvp(sys.argv[3], sys.argv[3:])"

        def gated(host, port, root, listen_fd=None):
            cmd, cwd, uses_fd = real(host, port, root, listen_fd)
            return [sys.executable, "-c", GATE, {str(fifo)!r}, str(cwd), *cmd], None, uses_fd

        local_dso._node_command = gated
        lock, released = threading.Lock(), threading.Event()

        def release():
            with lock:
                if not released.is_set():
                    released.set()
                    with open({str(fifo)!r}, "wb") as f:
                        f.write(b"x")

        timer = threading.Timer(60, release)
        timer.daemon = True
        timer.start()

        def double(x):
            return 2 * x

        from crucial.lithops import FunctionExecutor
        fexec = FunctionExecutor(workers=1)
        first = fexec.call_async(double, 21).result()
        before = not released.is_set()

        def add():
            from crucial import AtomicLong
            return AtomicLong({key!r}).add_and_get(4)

        later = fexec.call_async(add, ())
        release()
        print(json.dumps({{"first": first, "before_the_node_loaded": before, "second": later.result()}}))
        fexec.clean()
    """, tmp_path)
    assert out == {"first": 42, "before_the_node_loaded": True, "second": 4}


def _fake_node(tmp_path: Path, script: str) -> Path:
    fake = tmp_path / "node"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize("script", [
    "echo v18.19.0\n",  # answers everything with its version
    # as the bundle's own check does: a message on stderr and exit 3, the version on --version
    'if [ "$1" = "--version" ]; then echo v18.19.0; else echo "crucial: needs Node.js >= 20" >&2; exit 3; fi\n',
])
def test_a_bundled_node_too_old_is_named_though_its_version_is_not_asked_first(tmp_path, monkeypatch, script):
    bundle = tmp_path / "crucial-node.mjs"
    bundle.write_text("// stands for the bundle\n")
    monkeypatch.setattr(local_dso, "_checkout", lambda: None)
    monkeypatch.setattr(local_dso, "BUNDLED_NODE", bundle)
    monkeypatch.setenv("CRUCIAL_NODE", str(_fake_node(tmp_path, script)))
    with pytest.raises(UnavailableError, match=r"needs Node.js >= 20: .* is v18\.19\.0"):
        context.LocalDso()


def test_the_grace_for_a_node_still_loading_ends_when_its_address_refuses_connections(monkeypatch):
    # A node that died while loading leaves nothing listening: its calls fail as any refused call does,
    # not at the end of the grace (30 s here; the call's own 20 s timeout would come first).
    from crucial.client.context import STARTING_ENV, connect
    from crucial.errors import TimeoutError as CallTimeout

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv(STARTING_ENV, f"{address} {time.time() + 30:.3f}")
    c = connect(address, unavailable_after=0.2)
    try:
        with pytest.raises(UnavailableError) as info:
            c.call("AtomicLong", "k", "get", [], timeout=20)
        assert not isinstance(info.value, CallTimeout)
        assert "ECONNREFUSED" in str(info.value)
    finally:
        c.close()
