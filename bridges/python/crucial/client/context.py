"""
Where proxies send their calls by default, as in ``core/client/context.ts``. With ``CRUCIAL_DSO`` set
(e.g. ``tcp://10.0.0.5:7700``) the bridge connects there. Without it, it starts a DSO node on a free
loopback port, exports its address in ``CRUCIAL_DSO`` so worker processes started afterwards find the
same node, and stops it when this process exits. The node comes from the crucial checkout this package
lives in, or, in an installed wheel, from the node bundled inside it (:mod:`crucial.client.local_dso`).

One program, one node: whoever needs the node first (an executor at creation, or the first object)
starts it through :func:`ensure_dso`, once, in the parent. A worker process (``CRUCIAL_WORKER=1``)
never starts a node of its own: without an address from its parent it fails.

Start-up (issue 10): :func:`begin_dso` spawns the node's process without waiting for its ready line,
so an executor spawns its workers while the node loads; pyzmq and the client load with the first
connection, not with this module.
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Optional

from ..errors import UnavailableError
from ..wire.protocol import ObjectRef
from .local_dso import BUNDLED_NODE, MIN_NODE_MAJOR, LocalDso, find_node, start_local_dso

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["connect", "default_connection", "set_default_connection", "set_ref_reviver", "dso_address", "begin_dso", "ensure_dso", "use_dso",
           "shutdown", "LocalDso", "start_local_dso", "find_node", "BUNDLED_NODE", "MIN_NODE_MAJOR"]

logger = logging.getLogger(__name__)

#: Set while the embedded node loads (``"<address> <deadline, epoch seconds>"``, :func:`begin_dso`), inherited by
#: the workers spawned then: their first link to it may take until the deadline (crucial.client.link).
STARTING_ENV = "CRUCIAL_DSO_STARTING"
#: Seconds a worker's first link may wait for the embedded node while it loads, beyond the unavailable window
#: (it loads in 0.1-0.6 s; this bounds a machine so loaded that it takes far longer).
_STARTING_GRACE = 30.0

_lock = threading.Lock()
_default: Optional[Connection] = None
_embedded: Optional["LocalDso"] = None
_reviver: Optional[Callable[[ObjectRef, "Connection"], Any]] = None


def check_address(address: Any) -> str:
    """:func:`crucial.client.connection.check_address`, loading that module (and pyzmq) only when called."""
    from .connection import check_address as check

    return check(address)


def set_ref_reviver(fn: Callable[[ObjectRef, "Connection"], Any]) -> None:
    """Installed by the objects layer so references arriving in values become proxies."""
    global _reviver
    _reviver = fn


def connect(address: str, **options: Any) -> "Connection":
    """
    Opens a new connection to a node, reviving references as proxies bound to it.

    :param address: ``tcp://host:port``, or ``ipc://path`` for a node's Unix socket on this host
    :param options: passed to :class:`Connection` (``resend_after``, ``unavailable_after``)
    :raises InvalidOptionError: if ``address`` is not a ``tcp://host:port`` or ``ipc://path`` endpoint
    """
    from .connection import Connection

    if _reviver is None:
        # The objects layer installs the reviver when it loads; ``import crucial`` no longer loads it
        # (issue 10), so references arriving on any connection still revive as proxies.
        from ..objects import shared_object  # noqa: F401

    return Connection(check_address(address), revive_ref=_reviver, **options)


def _ensure_dso_locked() -> str:
    global _embedded
    address = os.environ.get("CRUCIAL_DSO")
    if address:
        if _embedded is not None and address == _embedded.client_address:
            _wait_embedded()  # exported before it listened (begin_dso): it may still be loading, or have failed
            return address
        return check_address(address)
    if os.environ.get("CRUCIAL_WORKER") == "1":
        raise UnavailableError("this crucial worker process was given no DSO address (CRUCIAL_DSO) by its parent; "
                               "a worker never starts a node of its own")
    if _in_lithops_worker():
        # A Lithops worker that embedded a node would count alone, silently: the parent and the other
        # workers never see it. Lithops copies the parent's environment, so the fix is on that side.
        raise UnavailableError("this Lithops worker was given no DSO address (CRUCIAL_DSO): call crucial.ensure_dso() "
                               "(or use any crucial object) in the program before creating the Lithops executor, "
                               "or set CRUCIAL_DSO; a worker never starts a node of its own")
    if _in_multiprocessing_child():
        # Each child would count alone on a node of its own, silently: the parent and its siblings
        # never see its writes (as a worker's or a Lithops worker's node, above).
        raise UnavailableError("this multiprocessing child process has no DSO address (CRUCIAL_DSO) from its parent and would "
                               "start a node of its own that no other process sees: call crucial.ensure_dso() (or use any crucial "
                               "object) in the parent before starting the children, or set CRUCIAL_DSO")
    if _embedded is None or _embedded.process.poll() is not None:
        _embedded = LocalDso(wait=False, ipc=True)
    _wait_embedded()
    # This host's clients (this process, its workers) use the node's Unix socket (local_dso.py).
    os.environ["CRUCIAL_DSO"] = _embedded.client_address  # type: ignore[assignment]
    # Worker processes started afterwards find the node's token as they find its address.
    os.environ["CRUCIAL_TOKEN"] = _embedded.token
    return _embedded.client_address  # type: ignore[return-value]


def _wait_embedded() -> None:
    """Waits for the embedded node's ready line; a node that failed is forgotten, and so is its exported address."""
    global _embedded
    node = _embedded
    try:
        node.wait_ready()  # type: ignore[union-attr]
    except BaseException:
        _forget(node)
        raise


def _forget(node: Optional["LocalDso"]) -> None:
    global _embedded
    if node is None:
        return
    if _embedded is node:
        _embedded = None
    if node.address is not None and os.environ.get("CRUCIAL_DSO") == node.client_address:
        del os.environ["CRUCIAL_DSO"]
        if os.environ.get("CRUCIAL_TOKEN") == node.token:
            del os.environ["CRUCIAL_TOKEN"]


def _in_multiprocessing_child() -> bool:
    """True in a process ``multiprocessing`` started (any start method; a pool's worker too)."""
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _in_lithops_worker() -> bool:
    """True inside a function run by real Lithops (it marks its workers with these variables)."""
    return "__LITHOPS_ACTIVATION_ID" in os.environ or os.environ.get("LITHOPS_WORKER") == "True"


def begin_dso() -> Optional[str]:
    """
    Starts the embedded node when :func:`ensure_dso` would, without waiting for it to load: the caller
    does other start-up work (an executor spawns its workers) meanwhile (issue 10, start-up). The node
    is handed a listening socket made here, so its address is known, and exported in ``CRUCIAL_DSO``
    (with ``CRUCIAL_TOKEN``), at once; clients that connect before it has loaded wait in the socket's
    backlog. A node that then fails to start is logged, its address withdrawn, and :func:`ensure_dso`
    raises what went wrong.

    :return: the address the bundled node listens on, or None when there is none to start
        (``CRUCIAL_DSO`` set, a worker process, no node available: :func:`ensure_dso` says) or it is a
        checkout's node (run through tsx: :func:`ensure_dso` waits for it)
    """
    global _embedded
    with _lock:
        if os.environ.get("CRUCIAL_DSO") or os.environ.get("CRUCIAL_WORKER") == "1" or _in_lithops_worker() or _in_multiprocessing_child():
            return None
        if _embedded is None or _embedded.process.poll() is not None:
            try:
                _embedded = LocalDso(wait=False, ipc=True)
            except UnavailableError:
                _embedded = None
                return None
        node = _embedded
        if node.address is None or not node._bundled:
            # A checkout's node loads through tsx, for seconds on a busy machine: a worker's first call
            # could outlast its unavailable_after window (2 s) waiting in the backlog, so the caller
            # waits for that node's ready line (ensure_dso) before its tasks get the address.
            return None
        address = node.client_address
        os.environ["CRUCIAL_DSO"] = address  # type: ignore[assignment]
        os.environ["CRUCIAL_TOKEN"] = node.token
        # Workers spawned while it loads give their first link to it this long (crucial.client.link).
        os.environ[STARTING_ENV] = f"{address} {time.time() + _STARTING_GRACE:.3f}"
    threading.Thread(target=_watch_start, args=(node,), name="crucial-dso-start", daemon=True).start()
    return address


def _watch_start(node: "LocalDso") -> None:
    """Reads a node's ready line for a caller that did not wait for it; a failure withdraws its address."""
    try:
        node.wait_ready()
    except UnavailableError as err:
        _end_starting(node)
        if node._stopped:  # stopped (the program ended) before it had loaded: nothing went wrong
            return
        logger.warning("the embedded DSO node did not start: %s", err)
        with _lock:
            _forget(node)
        return
    _end_starting(node)


def _end_starting(node: "LocalDso") -> None:
    """Workers spawned from now on connect to a node that has loaded (or failed): no first-link grace."""
    raw = os.environ.get(STARTING_ENV, "").split()
    if raw and raw[0] == node.client_address:
        os.environ.pop(STARTING_ENV, None)


def ensure_dso() -> str:
    """
    The address of the node this program uses, without connecting: ``CRUCIAL_DSO``, else the embedded
    node, started once and exported in ``CRUCIAL_DSO`` so worker processes started afterwards use it.

    :raises InvalidOptionError: if ``CRUCIAL_DSO`` is not a ``tcp://host:port`` endpoint
    :raises UnavailableError: in a worker process (crucial's or Lithops's) with no ``CRUCIAL_DSO``, or if the
        node cannot start
    """
    with _lock:
        return _ensure_dso_locked()


def default_connection() -> "Connection":
    """The process-wide connection, created on first use (and again after a fork)."""
    global _default
    conn = _default
    if conn is not None and conn.pid == os.getpid() and not conn.closed:
        return conn
    with _lock:
        if _default is not None and _default.pid == os.getpid() and not _default.closed:
            return _default
        _default = connect(_ensure_dso_locked())
        return _default


def set_default_connection(conn: Optional["Connection"]) -> None:
    """Replaces the process-wide connection (None forgets it; the next use reconnects)."""
    global _default
    with _lock:
        _default = conn


def use_dso(address: str) -> None:
    """
    Points this process at the node ``address`` (a worker told by its parent, with each task, which
    node the program uses). A default connection to another node is closed: the parent moved on
    from it (after :func:`shutdown`, a later use embeds a new node), so its calls could only fail.

    :param address: ``tcp://host:port`` of the parent's node
    """
    global _default
    with _lock:
        if os.environ.get("CRUCIAL_DSO") == address:
            return
        os.environ["CRUCIAL_DSO"] = address
        old, _default = _default, None
    if old is not None and old.pid == os.getpid():
        old.close()


def dso_address() -> str:
    """Address of the node in use, starting the embedded one if needed."""
    return default_connection().address


def shutdown() -> None:
    """Closes the default connection and stops the node this process started, if any."""
    global _default, _embedded
    with _lock:
        conn, _default = _default, None
        node, _embedded = _embedded, None
    if conn is not None and conn.pid == os.getpid():
        conn.close()
    if node is not None:
        if os.environ.get("CRUCIAL_DSO") == node.client_address:
            del os.environ["CRUCIAL_DSO"]
            if os.environ.get("CRUCIAL_TOKEN") == node.token:
                del os.environ["CRUCIAL_TOKEN"]
        node.stop()


atexit.register(shutdown)
