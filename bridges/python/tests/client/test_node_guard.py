"""
The node the Python package starts owns its process, so it carries the last-resort guard (dso/guard.ts) as
`crucial dso start` does: a user class uploaded by the Python program whose code throws in its own timer or drops a
rejection leaves the node serving. Both ways the package starts a node are checked: the checkout's (tsx on
dso/node.ts, what LocalDso runs here) and bridges/python/node/embedded.ts (what the wheel bundles as
_node/crucial-node.mjs), run here by tsx.
"""
import os
import secrets
import subprocess

import pytest
from crucial import system
from crucial.client.context import LocalDso, connect
from crucial.client.credentials import Credentials, register_credentials

from ..conftest import REPO

pytestmark = pytest.mark.timeout(120)

TIMER_BOMB_JS = """
export class PyTimerBomb {
  static [Symbol.for('crucial.sharedClass')] = { moduleUrl: 'python-timer-bomb' };
  arm(ms) { setTimeout(() => { throw new Error('boom in a timer'); }, ms); return null; }
  dropRejection() { void Promise.reject(new Error('a rejection nobody handles')); return null; }
  ping() { return 'pong'; }
}
"""


class _EmbeddedNode:
    """bridges/python/node/embedded.ts under tsx, started as LocalDso starts the bundled node."""

    def __init__(self) -> None:
        self.token = secrets.token_hex(32)
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("CRUCIAL_")}, "CRUCIAL_TOKEN": self.token}
        self.process = subprocess.Popen([str(REPO / "node_modules" / ".bin" / "tsx"), str(REPO / "bridges" / "python" / "node" / "embedded.ts"),
                                         "127.0.0.1", "0"], cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.startswith("DSO "), line
        self.address = line[4:].strip()
        register_credentials(self.address, Credentials(token=self.token))

    def stop(self) -> None:
        register_credentials(self.address, None)
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(10)


@pytest.fixture(params=["checkout", "embedded"])
def own_node(request):
    node = LocalDso(port=0, root=REPO) if request.param == "checkout" else _EmbeddedNode()
    yield node
    node.stop()


def test_a_user_class_faulting_outside_its_calls_leaves_the_python_packages_node_serving(own_node):
    conn = connect(own_node.address)
    try:
        assert system.load_module(TIMER_BOMB_JS, conn) == ["PyTimerBomb"]
        assert conn.call("PyTimerBomb", "b", "arm", [20]) is None
        assert conn.call("PyTimerBomb", "b", "dropRejection", []) is None
        # A wait on the node's own timer, past the bomb's: the process must still be there to answer it.
        assert conn.call("Semaphore", "wait", "tryAcquire", [1, 200], {"init": [0]}, timeout=30) is False
        assert conn.call("PyTimerBomb", "b", "ping", [], timeout=30) == "pong"
        assert own_node.process.poll() is None
    finally:
        conn.close()
