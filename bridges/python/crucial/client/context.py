"""
Where proxies send their calls by default, as in ``core/client/context.ts``. With ``CRUCIAL_DSO`` set
(e.g. ``tcp://10.0.0.5:7700``) the bridge connects there. Without it, it starts a DSO node from the
crucial checkout this package lives in (``npx tsx`` on ``dso/node.ts``; ``CRUCIAL_HOME`` names another
checkout) on a free loopback port, exports its address in ``CRUCIAL_DSO`` so worker processes started
afterwards find the same node, and stops it when this process exits.
"""
from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any, Callable, Optional

from ..errors import UnavailableError
from ..wire.protocol import ObjectRef
from .connection import Connection

__all__ = ["connect", "default_connection", "set_default_connection", "set_ref_reviver", "dso_address", "shutdown", "LocalDso", "start_local_dso"]

_lock = threading.Lock()
_default: Optional[Connection] = None
_embedded: Optional["LocalDso"] = None
_reviver: Optional[Callable[[ObjectRef, Connection], Any]] = None


def set_ref_reviver(fn: Callable[[ObjectRef, Connection], Any]) -> None:
    """Installed by the objects layer so references arriving in values become proxies."""
    global _reviver
    _reviver = fn


def connect(address: str, **options: Any) -> Connection:
    """
    Opens a new connection to a node, reviving references as proxies bound to it.

    :param address: ``tcp://host:port``
    :param options: passed to :class:`Connection` (``resend_after``, ``unavailable_after``)
    """
    return Connection(address, revive_ref=_reviver, **options)


def default_connection() -> Connection:
    """The process-wide connection, created on first use (and again after a fork)."""
    global _default, _embedded
    conn = _default
    if conn is not None and conn.pid == os.getpid() and not conn.closed:
        return conn
    with _lock:
        if _default is not None and _default.pid == os.getpid() and not _default.closed:
            return _default
        address = os.environ.get("CRUCIAL_DSO")
        if not address:
            _embedded = start_local_dso()
            address = _embedded.address
            os.environ["CRUCIAL_DSO"] = address
        _default = connect(address)
        return _default


def set_default_connection(conn: Optional[Connection]) -> None:
    """Replaces the process-wide connection (None forgets it; the next use reconnects)."""
    global _default
    with _lock:
        _default = conn


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
        node.stop()


atexit.register(shutdown)


def _checkout() -> Path:
    home = os.environ.get("CRUCIAL_HOME")
    root = Path(home) if home else Path(__file__).resolve().parents[4]
    if not (root / "dso" / "node.ts").is_file():
        raise UnavailableError(
            "no DSO node: set CRUCIAL_DSO=tcp://host:port, or CRUCIAL_HOME to a crucial checkout "
            f"(looked for dso/node.ts under {root})"
        )
    return root


class LocalDso:
    """
    A DSO node running as a child process (Node.js + tsx on the repo's ``dso/node.ts``).

    :param port: TCP port, 0 for a free one
    :param host: interface to bind
    :param root: crucial checkout; default: the one holding this package, or ``CRUCIAL_HOME``
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", root: Optional[Path] = None) -> None:
        self.root = Path(root) if root else _checkout()
        node_ts = (self.root / "dso" / "node.ts").as_uri()
        script = (
            f"import({node_ts!r}).then(m => m.startDso({{host: {host!r}, port: {int(port)}}}))"
            ".then(n => { console.log('DSO ' + n.address); "
            "process.stdin.on('end', () => n.close().then(() => process.exit(0))); process.stdin.resume(); })"
            ".catch(e => { console.error(e); process.exit(1); })"
        )
        tsx = self.root / "node_modules" / ".bin" / "tsx"
        cmd = [str(tsx)] if tsx.exists() else [shutil.which("npx") or "npx", "tsx"]
        # stdin stays open as a lifeline: the node exits when this process dies and the pipe closes.
        self.process = subprocess.Popen(cmd + ["-e", script], cwd=self.root, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=None, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("DSO "):
            self.process.kill()
            raise UnavailableError(f"the DSO node did not start (said {line!r})")
        #: ``tcp://host:port`` of the node
        self.address = line[4:].strip()

    def stop(self) -> None:
        """Stops the node and waits for it to exit."""
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
    Starts a DSO node from the crucial checkout as a child process.

    :param port: TCP port, 0 for a free one
    :param host: interface to bind
    :return: the running node (``.address``, ``.stop()``; also a context manager)
    """
    return LocalDso(port=port, host=host)
