"""
Base of every proxy, as ``core/objects/shared-object.ts``: a proxy holds only a name (type, key) and
a connection; the state lives on the DSO node. Constructor arguments travel with the first call only;
the node uses them if it has to create the object and ignores them otherwise.
"""
from __future__ import annotations

import re
import threading
from importlib import import_module
from typing import Any, Callable, ClassVar, Dict, Optional, Sequence, Type

from ..client.connection import Connection
from ..client.context import default_connection, set_ref_reviver
from ..errors import CrucialError, ErrorCode, InvalidOptionError, ReleasedError
from ..wire.protocol import ObjectRef

__all__ = ["SharedObject", "RemoteObject", "shared", "register_proxy", "proxy_for", "to_wire_name"]

_PROXIES: Dict[str, Callable[[str], "SharedObject"]] = {}

# The module registering each built-in type's proxy: ``import crucial`` loads them on first use (issue
# 10, start-up), so a reference of a type whose module is not loaded yet loads it here.
_BUILTIN_MODULES = {
    **{t: "..objects." + m for t, m in (("AtomicBoolean", "atomic_boolean"), ("AtomicByteArray", "atomic_byte_array"),
                                        ("AtomicCounter", "atomic_counter"), ("AtomicInt", "atomic_int"), ("AtomicList", "atomic_list"),
                                        ("AtomicLong", "atomic_long"), ("AtomicMap", "atomic_map"), ("AtomicMatrix", "atomic_matrix"),
                                        ("AtomicReference", "atomic_reference"), ("AtomicTreeMap", "atomic_tree_map"))},
    **{t: "..sync." + m for t, m in (("CountDownLatch", "count_down_latch"), ("CyclicBarrier", "cyclic_barrier"), ("Future", "future"),
                                     ("ScalableCyclicBarrier", "scalable_cyclic_barrier"), ("Semaphore", "semaphore"))},
}


def register_proxy(type_name: str, factory: Callable[[str], "SharedObject"]) -> None:
    """Makes references of ``type_name`` arriving in values revive as this proxy class."""
    _PROXIES[type_name] = factory


def proxy_for(ref: ObjectRef, conn: Optional[Connection] = None) -> "SharedObject":
    """
    A proxy for a reference: the registered class for built-in types, :class:`RemoteObject` otherwise.

    :param ref: the reference
    :param conn: connection to bind the proxy to
    """
    factory = _PROXIES.get(ref.type)
    if factory is None and ref.type in _BUILTIN_MODULES:
        import_module(_BUILTIN_MODULES[ref.type], __package__)
        factory = _PROXIES.get(ref.type)
    proxy = factory(ref.key) if factory else RemoteObject(ref.type, ref.key)
    if conn is not None:
        proxy._conn = conn
    return proxy


set_ref_reviver(proxy_for)

_CAMEL = re.compile(r"_([a-z0-9])")


def to_wire_name(name: str) -> str:
    """``add_and_get`` → ``addAndGet``; a trailing underscore (``await_``) is dropped."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name.rstrip("_"))


class SharedObject:
    """
    A proxy to a shared object on the DSO.

    Every method that calls the node raises what :meth:`Connection.call <crucial.Connection.call>` raises
    (the node's typed error such as ``BadArgumentError``, ``UnavailableError`` when the node cannot be
    reached, ``ClosedError``), and ``ReleasedError`` once the proxy was released.

    :param key: the object's key on the DSO
    :param init: constructor arguments, used only if the object does not exist yet
    :param persistent: keep the object beyond the application's lifetime
    :param force_new: replace any existing object of that key by a fresh one on first access
    :param connection: connection to use instead of the process default
    :raises InvalidOptionError: if ``key`` is not a non-empty string
    """

    #: Node-side type name.
    type_name: ClassVar[str] = ""

    def __init__(self, key: str, init: Sequence[Any] = (), *, persistent: bool = False, force_new: bool = False,
                 connection: Optional[Connection] = None) -> None:
        if not isinstance(key, str) or not key:
            raise InvalidOptionError("key must be a non-empty string")
        self._key = key
        self._conn = connection
        # A connection the caller chose is kept even once closed (calls then raise ClosedError): only
        # the process default is looked up again, as it is replaced after crucial.shutdown().
        self._own_conn = connection is not None
        opts: Dict[str, Any] = {}
        if init:
            opts["init"] = list(init)
        if persistent:
            opts["persistent"] = True
        if force_new:
            opts["forceNew"] = True
        self._pending_opts: Optional[Dict[str, Any]] = opts or None
        # A recreation keeps ``persistent``: without it the object would come back in memory only.
        self._init_opts: Optional[Dict[str, Any]] = (
            {"init": opts["init"], **({"persistent": True} if persistent else {})} if "init" in opts else None)
        self._released = False
        self._lock = threading.Lock()

    @property
    def key(self) -> str:
        """The object's key on the DSO."""
        return self._key

    @property
    def connection(self) -> Connection:
        """The connection calls go through (the process default unless one was given)."""
        conn = self._conn
        if conn is None or (conn.closed and not self._own_conn):
            conn = self._conn = default_connection()
        return conn

    def to_object_ref(self) -> ObjectRef:
        """The reference that travels when this proxy is passed as a value."""
        return ObjectRef(self._type(), self._key)

    def release(self) -> None:
        """Stops using this proxy; later calls raise :class:`ReleasedError`. The object stays on the node."""
        self._released = True

    #: Same as :meth:`release` (for types whose ``release`` means something else, such as Semaphore).
    def close(self) -> None:
        """Stops using this proxy (see :meth:`release`)."""
        self._released = True

    def __enter__(self) -> "SharedObject":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __reduce__(self) -> Any:
        # A proxy crossing a process boundary (cloudpickle to a worker) carries only its name.
        return (proxy_for, (self.to_object_ref(),))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SharedObject) and other.to_object_ref() == self.to_object_ref()

    def __hash__(self) -> int:
        return hash(self.to_object_ref())

    def _type(self) -> str:
        return self.type_name

    def _invoke(self, method: str, *args: Any, timeout: Optional[float] = None) -> Any:
        """
        Calls ``method`` (wire name) on the node and waits for its result.

        :param method: wire (camelCase) method name
        :param args: positional arguments
        :param timeout: local wait limit in seconds (None: until the node answers)
        """
        if self._released:
            raise ReleasedError(f'{self._type()} "{self._key}" was released')
        conn = self.connection
        first = self._pending_opts
        try:
            out = conn.call(self._type(), self._key, method, args, first, timeout)
            if first is not None:
                self._pending_opts = None
            return out
        except CrucialError as err:
            if err.code == ErrorCode.NO_OBJECT and first is None and self._init_opts:
                # The node lost the object (restart, eviction): recreate it from the constructor arguments.
                return conn.call(self._type(), self._key, method, args, self._init_opts, timeout)
            raise


class RemoteObject(SharedObject):
    """
    A proxy to any object type by name, typically a user class written in TypeScript
    (``@Shared class Account { deposit(n) {...} }``): ``RemoteObject("Account", "alice").deposit(5)``.
    Python attribute names are turned into wire names (``get_balance`` → ``getBalance``); use
    :meth:`call` for a method whose wire name is not camelCase, or that is named like one of this
    proxy's own members (``release``, ``close``, ``call``, ``key``, ``connection``,
    ``to_object_ref``, ``type_name``): without the class, the proxy cannot tell such a method from its own member,
    so ``obj.release()`` releases the proxy while ``obj.call("release")`` runs the class's method.

    :param type_name: the node-side type (class) name
    :param key: the object's key
    :param init: constructor arguments, used only if the object does not exist yet
    :raises InvalidOptionError: if ``type_name`` or ``key`` is not a non-empty string
    """

    def __init__(self, type_name: str, key: str, *init: Any, persistent: bool = False, force_new: bool = False,
                 connection: Optional[Connection] = None) -> None:
        if not isinstance(type_name, str) or not type_name:
            raise InvalidOptionError("type_name must be a non-empty string")
        self._type_name = type_name
        super().__init__(key, init, persistent=persistent, force_new=force_new, connection=connection)

    def _type(self) -> str:
        return self._type_name

    def call(self, method: str, *args: Any, timeout: Optional[float] = None) -> Any:
        """
        Calls a method by its exact wire name.

        :param method: the method name on the node
        :param args: positional arguments
        :param timeout: local wait limit in seconds
        :return: the method's result
        :raises ReleasedError: if the proxy was released
        :raises CrucialError: what :meth:`Connection.call <crucial.Connection.call>` raises (the method's own
            error arrives as ``RemoteError`` with its class name and stack)
        """
        return self._invoke(method, *args, timeout=timeout)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        wire = to_wire_name(name)
        return lambda *args: self._invoke(wire, *args)

    def __repr__(self) -> str:
        return f"RemoteObject({self._type_name!r}, {self._key!r})"


def shared(type_name: str, key: str, *init: Any, **options: Any) -> RemoteObject:
    """
    A proxy to an object of any type by name (see :class:`RemoteObject`).

    :param type_name: the node-side type name
    :param key: the object's key
    :param init: constructor arguments for a new object
    :param options: ``persistent``, ``force_new``, ``connection``
    :raises InvalidOptionError: if ``type_name`` or ``key`` is not a non-empty string
    """
    return RemoteObject(type_name, key, *init, **options)


def proxy_class(type_name: str) -> Callable[[Type[SharedObject]], Type[SharedObject]]:
    """Class decorator: sets ``type_name`` and registers the class for revived references."""

    def deco(cls: Type[SharedObject]) -> Type[SharedObject]:
        cls.type_name = type_name
        register_proxy(type_name, lambda key: cls.__new__(cls)._revive(key))  # type: ignore[attr-defined]
        return cls

    return deco


def _revive(self: SharedObject, key: str) -> SharedObject:
    SharedObject.__init__(self, key)
    return self


SharedObject._revive = _revive  # type: ignore[attr-defined]
