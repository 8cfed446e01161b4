"""
Where proxies send their calls by default, as in ``core/client/context.ts``. With ``CRUCIAL_DSO`` set
(e.g. ``tcp://10.0.0.5:7700``) the bridge connects there. Without it, it starts a DSO node on a free
loopback port, exports its address in ``CRUCIAL_DSO`` so worker processes started afterwards find the
same node, and stops it when this process exits. The node comes from the crucial checkout this package
lives in (``tsx`` on ``dso/node.ts``; ``CRUCIAL_HOME`` names another checkout), or, in an installed
wheel, from the node bundled inside it (``crucial/_node/crucial-node.mjs``, one JavaScript file) run by
the system ``node`` (>= 20; ``CRUCIAL_NODE`` names another binary).

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
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Tuple

from ..errors import UnavailableError
from ..wire.protocol import ObjectRef
from .credentials import Credentials, register_credentials

if TYPE_CHECKING:
    from .connection import Connection

__all__ = ["connect", "default_connection", "set_default_connection", "set_ref_reviver", "dso_address", "begin_dso", "ensure_dso", "use_dso",
           "shutdown", "LocalDso", "start_local_dso", "find_node", "BUNDLED_NODE", "MIN_NODE_MAJOR"]

logger = logging.getLogger(__name__)

#: The DSO node a wheel carries, bundled from the TypeScript sources by scripts/bundle-python-node.mjs.
BUNDLED_NODE = Path(__file__).resolve().parent.parent / "_node" / "crucial-node.mjs"
#: Oldest Node.js major version the bundled node runs on.
MIN_NODE_MAJOR = 20

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

    :param address: ``tcp://host:port``
    :param options: passed to :class:`Connection` (``resend_after``, ``unavailable_after``)
    :raises InvalidOptionError: if ``address`` is not a ``tcp://host:port`` endpoint
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
        if _embedded is not None and address == _embedded.address:
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
    if _embedded is None or _embedded.process.poll() is not None:
        _embedded = LocalDso(wait=False)
    _wait_embedded()
    os.environ["CRUCIAL_DSO"] = _embedded.address
    # Worker processes started afterwards find the node's token as they find its address.
    os.environ["CRUCIAL_TOKEN"] = _embedded.token
    return _embedded.address


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
    if node.address is not None and os.environ.get("CRUCIAL_DSO") == node.address:
        del os.environ["CRUCIAL_DSO"]
        if os.environ.get("CRUCIAL_TOKEN") == node.token:
            del os.environ["CRUCIAL_TOKEN"]


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
        if os.environ.get("CRUCIAL_DSO") or os.environ.get("CRUCIAL_WORKER") == "1" or _in_lithops_worker():
            return None
        if _embedded is None or _embedded.process.poll() is not None:
            try:
                _embedded = LocalDso(wait=False)
            except UnavailableError:
                _embedded = None
                return None
        node = _embedded
        if node.address is None or not node._bundled:
            # A checkout's node loads through tsx, for seconds on a busy machine: a worker's first call
            # could outlast its unavailable_after window (2 s) waiting in the backlog, so the caller
            # waits for that node's ready line (ensure_dso) before its tasks get the address.
            return None
        os.environ["CRUCIAL_DSO"] = node.address
        os.environ["CRUCIAL_TOKEN"] = node.token
        # Workers spawned while it loads give their first link to it this long (crucial.client.link).
        os.environ[STARTING_ENV] = f"{node.address} {time.time() + _STARTING_GRACE:.3f}"
    threading.Thread(target=_watch_start, args=(node,), name="crucial-dso-start", daemon=True).start()
    return node.address


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
    if raw and raw[0] == node.address:
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
        if os.environ.get("CRUCIAL_DSO") == node.address:
            del os.environ["CRUCIAL_DSO"]
            if os.environ.get("CRUCIAL_TOKEN") == node.token:
                del os.environ["CRUCIAL_TOKEN"]
        node.stop()


atexit.register(shutdown)


def _checkout() -> Optional[Path]:
    """The crucial checkout to run the node from: ``CRUCIAL_HOME``, else the one holding this package, else None."""
    home = os.environ.get("CRUCIAL_HOME")
    if home:
        if not (Path(home) / "dso" / "node.ts").is_file():
            raise UnavailableError(f"CRUCIAL_HOME={home} is not a crucial checkout (no dso/node.ts there)")
        return Path(home)
    root = Path(__file__).resolve().parents[4]
    return root if (root / "dso" / "node.ts").is_file() else None


_HOW = ("install Node.js 20 or newer (https://nodejs.org), or set CRUCIAL_NODE to its binary, "
        "or set CRUCIAL_DSO=tcp://host:port to use a running node (npx crucial dso start)")


def _node_binary() -> str:
    """``CRUCIAL_NODE``, else ``node`` on PATH, unchecked; raises the error :func:`find_node` raises when there is none."""
    named = os.environ.get("CRUCIAL_NODE")
    node = shutil.which(named) if named else shutil.which("node")
    if node is None:
        where = f"CRUCIAL_NODE={named} is not an executable" if named else "no `node` on PATH"
        raise UnavailableError(f"crucial's embedded DSO node needs Node.js >= {MIN_NODE_MAJOR}: {where}; {_HOW}")
    return node


def find_node() -> str:
    """
    The Node.js binary that runs the bundled DSO node: ``CRUCIAL_NODE``, else ``node`` on PATH.

    :return: its path
    :raises UnavailableError: naming what is missing, if there is none or it is older than Node 20
    """
    how = _HOW
    node = _node_binary()
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError) as err:
        raise UnavailableError(f"crucial's embedded DSO node needs Node.js >= {MIN_NODE_MAJOR}: {node} --version failed ({err}); {how}") from err
    m = re.match(r"^v(\d+)\.", version)
    if m is None or int(m.group(1)) < MIN_NODE_MAJOR:
        raise UnavailableError(f"crucial's embedded DSO node needs Node.js >= {MIN_NODE_MAJOR}: {node} is {version or 'unknown'}; {how}")
    return node


def _node_command(host: str, port: int, root: Optional[Path], listen_fd: Optional[int] = None) -> Tuple[List[str], Optional[Path], bool]:
    """
    The command that starts a node printing ``DSO <address>``, its working directory, and whether it
    listens on ``listen_fd`` (an inherited listening socket) rather than binding ``host:port`` itself.
    """
    if root is None:
        root = _checkout()
    if root is not None:
        node_ts = (root / "dso" / "node.ts").as_uri()
        # The node owns its process, as bridges/python/node/embedded.ts does: the last-resort guard keeps it
        # serving when a user class's code faults outside any call.
        guard_ts = (root / "dso" / "guard.ts").as_uri()
        script = (
            f"import({guard_ts!r}).then(g => g.installProcessGuard())"
            f".then(() => import({node_ts!r}))"
            f".then(m => m.startDso({{host: {host!r}, port: {int(port)}, listenFd: {'undefined' if listen_fd is None else int(listen_fd)}, "
            "token: process.env.CRUCIAL_TOKEN, allowUpload: true}))"
            ".then(n => { console.log('DSO ' + n.address); "
            "process.stdin.on('end', () => n.close().then(() => process.exit(0))); process.stdin.resume(); })"
            ".catch(e => { console.error(e); process.exit(1); })"
        )
        if listen_fd is not None and (root / "node_modules" / "tsx").is_dir():
            # One process (tsx's CLI runs node as a child of its own, which would not get the socket).
            return [shutil.which("node") or "node", "--import", "tsx", "-e", script], root, True
        if listen_fd is not None:
            return _node_command(host, port, root, None)
        tsx = root / "node_modules" / ".bin" / "tsx"
        cmd = [str(tsx)] if tsx.exists() else [shutil.which("npx") or "npx", "tsx"]
        return [*cmd, "-e", script], root, False
    if BUNDLED_NODE.is_file():
        # No `node --version` first (a process of its own, 15-50 ms before the node could even start): the
        # bundle checks its Node.js version before anything else, and a node that does not start is
        # checked then, to name what is wrong (LocalDso.wait_ready).
        fd = [] if listen_fd is None else [str(int(listen_fd))]
        return [_node_binary(), str(BUNDLED_NODE), host, str(int(port)), *fd], None, listen_fd is not None
    raise UnavailableError(
        "no DSO node: set CRUCIAL_DSO=tcp://host:port, or CRUCIAL_HOME to a crucial checkout "
        f"(this package has no bundled node at {BUNDLED_NODE} and is not inside a checkout)"
    )


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` for a node to take over, as libuv binds one (SO_REUSEADDR)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(info[4])
            sock.listen(511)
        except BaseException:
            sock.close()
            raise
    except OSError as err:
        raise UnavailableError(f"the DSO node cannot listen on {host}:{port}: {err}") from err
    return sock


def _endpoint(sock: socket.socket) -> str:
    """``tcp://host:port`` of a bound socket, as the node prints it."""
    host, port = sock.getsockname()[:2]
    return f"tcp://[{host}]:{port}" if ":" in host else f"tcp://{host}:{port}"


class LocalDso:
    """
    A DSO node running as a child process: Node.js + tsx on a checkout's ``dso/node.ts``, or the
    system ``node`` on the node bundled in an installed wheel (see the module's docstring).

    :param port: TCP port, 0 for a free one
    :param host: interface to bind
    :param root: crucial checkout; default: ``CRUCIAL_HOME``, else the one holding this package, else
        the bundled node
    :param wait: wait for the node to listen (else :meth:`wait_ready` does, and ``address`` is None until then)
    :raises UnavailableError: if no node can be started (it names what is missing: ``node``, Node 20)
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", root: Optional[Path] = None, *, wait: bool = True) -> None:
        # The listening socket is made here and handed to the node: its address is known now, before the
        # node has loaded (clients that connect meanwhile wait in the backlog), and no other process can
        # take the port in between (issue 10, start-up).
        listener = _listen(host, port)
        try:
            cmd, cwd, uses_fd = _node_command(host, port, Path(root) if root else None, listener.fileno())
            if not uses_fd:
                listener.close()
            self._start(cmd, cwd, listener if uses_fd else None)
        finally:
            listener.close()  # the node has its own copy
        if wait:
            self.wait_ready()

    def _start(self, cmd: List[str], cwd: Optional[Path], listener: Optional[socket.socket]) -> None:
        self._bundled = cwd is None
        self.root = cwd
        #: the node's PLAIN token: made here, handed to the node in its environment (never on its command line)
        self.token = secrets.token_hex(32)
        logger.info("starting a DSO node: %s", " ".join(cmd[:2]))
        # stdin stays open as a lifeline: the node exits when this process dies and the pipe closes.
        self.process = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, env={**os.environ, "CRUCIAL_TOKEN": self.token},
                                        stdout=subprocess.PIPE, stderr=None, text=True,
                                        pass_fds=() if listener is None else (listener.fileno(),))
        #: ``tcp://host:port`` of the node: known at once when it was handed its listening socket, else once it listens
        self.address: Optional[str] = None if listener is None else _endpoint(listener)
        self._ready_lock = threading.Lock()
        self._ready = False
        self._stopped = False
        self._failure: Optional[BaseException] = None
        if self.address is not None:
            register_credentials(self.address, Credentials(token=self.token))

    def wait_ready(self) -> str:
        """
        Waits for the node's ready line.

        :return: its address
        :raises UnavailableError: if it did not start (naming the reason: a ``node`` too old, or what it said)
        """
        with self._ready_lock:
            if self._failure is not None:
                raise self._failure
            if self._ready and self.address is not None:
                return self.address
            line = self.process.stdout.readline() if self.process.stdout else ""
            if not line.startswith("DSO "):
                self.process.kill()
                self.process.wait()
                if self.address is not None:
                    register_credentials(self.address, None)
                try:
                    if self._bundled:
                        find_node()  # raises naming the version when the node is too old (the bundle exits at once then)
                    raise UnavailableError(f"the DSO node did not start (said {line!r})")
                except UnavailableError as err:
                    self._failure = err
                    raise
            if self.address is None:
                self.address = line[4:].strip()
                # This process's clients present the token to it without being told.
                register_credentials(self.address, Credentials(token=self.token))
            self._ready = True
            return self.address

    def stop(self) -> None:
        """Stops the node and waits for it to exit."""
        self._stopped = True
        if self.address is not None:
            register_credentials(self.address, None)
        if not self._ready and self.process.poll() is None:
            self.process.kill()  # still loading (begin_dso): it holds nothing to close yet
        if self.process.poll() is None:
            try:
                if self.process.stdin:
                    self.process.stdin.close()
                self.process.wait(5)
            except Exception:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "LocalDso":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_local_dso(port: int = 0, host: str = "127.0.0.1") -> LocalDso:
    """
    Starts a DSO node as a child process (from the crucial checkout, or the node bundled in the wheel).

    :param port: TCP port, 0 for a free one
    :param host: interface to bind
    :return: the running node (``.address``, ``.stop()``; also a context manager)
    """
    return LocalDso(port=port, host=host)
