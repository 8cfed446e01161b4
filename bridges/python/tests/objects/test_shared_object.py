import pytest
from crucial import AtomicLong, RemoteObject, errors, shared, system
from crucial.client.connection import Connection
from crucial.objects.shared_object import to_wire_name

ACCOUNT_JS = """
export class Account {
  static [Symbol.for('crucial.sharedClass')] = { moduleUrl: 'python-test' };
  constructor(owner) { this.owner = owner; this.balance = 0; }
  deposit(n) { if (typeof n !== 'number' || n <= 0) throw new RangeError('deposit must be positive'); this.balance += n; return this.balance; }
  getBalance() { return this.balance; }
  getOwner() { return this.owner; }
}
"""


def test_python_names_become_camel_case_wire_names():
    assert to_wire_name("add_and_get") == "addAndGet" and to_wire_name("await_") == "await" and to_wire_name("get") == "get"


def test_a_user_class_shipped_as_a_module_is_called_by_type_and_key(dso, key):
    assert system.load_module(ACCOUNT_JS) == ["Account"]
    acct = shared("Account", key, "alice")
    assert acct.deposit(5) == 5 and acct.deposit(2) == 7
    assert RemoteObject("Account", key).get_balance() == 7
    assert acct.call("getOwner") == "alice"


def test_a_user_method_that_throws_arrives_as_a_remote_error_with_its_name(dso, key):
    system.load_module(ACCOUNT_JS)
    with pytest.raises(errors.RemoteError, match="deposit must be positive") as info:
        shared("Account", key, "bob").deposit(-1)
    assert info.value.remote_name == "RangeError" and "deposit" in info.value.remote_stack


def test_unknown_types_and_methods_raise_typed_errors(dso, key):
    with pytest.raises(errors.UnknownTypeError):
        shared("NoSuchType", key).anything()
    with pytest.raises(errors.UnknownMethodError):
        AtomicLong(key)._invoke("noSuchMethod")


def test_the_system_object_answers_ping_and_stats(dso, key):
    assert system.ping() == "pong"
    before = system.stats()["objects"]
    for i in range(3):
        AtomicLong(f"{key}-{i}", i).get()
    assert system.stats()["objects"] == before + 3
    assert system.delete("AtomicLong", f"{key}-0") is True
    assert system.delete("AtomicLong", f"{key}-0") is False
    assert system.stats()["objects"] == before + 2


def test_a_proxy_on_a_connection_the_caller_closed_raises_closed_error_and_writes_nowhere_else(dso, key):
    conn = Connection(dso.address, token=dso.token)
    counter = AtomicLong(key, connection=conn)
    assert counter.add_and_get(1) == 1
    conn.close()
    with pytest.raises(errors.ClosedError):
        counter.add_and_get(1)
    # The default connection (same node here) sees the one write made before the close.
    assert AtomicLong(key).get() == 1


CLASH_JS = """
export class PyClash {
  static [Symbol.for('crucial.sharedClass')] = { moduleUrl: 'python-test-clash' };
  release() { this.n = (this.n ?? 0) + 1; return `node:release:${this.n}`; }
  call(x) { return `node:call:${x}`; }
  typeName() { return 'node:typeName'; }
}
"""


def test_remote_object_call_reaches_a_method_named_like_a_proxy_member(dso, key):
    assert system.load_module(CLASH_JS) == ["PyClash"]
    obj = RemoteObject("PyClash", key)
    assert obj.call("release") == "node:release:1" and obj.call("release") == "node:release:2"
    assert obj.call("call", 5) == "node:call:5"
    assert obj.call("typeName") == "node:typeName" and obj.type_name == ""  # the class attribute, not the method
    obj.release()
    with pytest.raises(errors.ReleasedError):
        obj.call("release")
