"""
A persistent object the node lost (deleted, or an older node without it) is recreated from the proxy's
constructor arguments: the recreation must ask for a persistent object again, or the writes
acknowledged after it die with the node. Oracle: the balance read back after kill -9 and a restart.
"""
import signal
import subprocess
from pathlib import Path

import pytest

from crucial import RemoteObject, shared, system
from crucial.client.context import connect

REPO = Path(__file__).resolve().parents[4]
BIN = REPO / "core" / "cli" / "bin.js"

ACCOUNT_JS = """
export class PersistentAccount {
  static [Symbol.for('crucial.sharedClass')] = { moduleUrl: 'python-test-persistent' };
  constructor(owner) { this.owner = owner; this.balance = 0; }
  deposit(n) { this.balance += n; return this.balance; }
  getBalance() { return this.balance; }
}
"""


def _start(pmem: Path) -> "tuple[subprocess.Popen, str]":
    proc = subprocess.Popen(["node", str(BIN), "dso", "start", "--port", "0", "--pmem", str(pmem), "--allow-upload"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    line = ""
    while proc.stdout and "ready at " not in line:  # the node may first say what it restored
        line = proc.stdout.readline()
        if not line:
            break
    if "ready at " not in line:
        proc.kill()
        pytest.fail(f"node did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, line.split("ready at ", 1)[1].strip()


def test_a_persistent_object_recreated_after_the_node_lost_it_stays_persistent(tmp_path):
    pmem = tmp_path / "node.pmem"
    proc, address = _start(pmem)
    conn = connect(address)
    try:
        system.load_module(ACCOUNT_JS, connection=conn)
        acct = shared("PersistentAccount", "acct", "alice", persistent=True, connection=conn)
        assert acct.deposit(5) == 5
        assert system.delete("PersistentAccount", "acct", connection=conn) is True
        assert acct.deposit(2) == 2, "the node lost the object: the proxy recreates it from its arguments"
    finally:
        conn.close()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc, address = _start(pmem)
    conn = connect(address)
    try:
        assert RemoteObject("PersistentAccount", "acct", connection=conn).get_balance() == 2
    finally:
        conn.close()
        proc.terminate()
        proc.wait()
