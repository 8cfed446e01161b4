"""
A DSO node run as a child process of this one (:class:`LocalDso`): the node of the crucial checkout
this package lives in (``tsx`` on ``dso/node.ts``; ``CRUCIAL_HOME`` names another checkout), or, in an
installed wheel, the node bundled inside it (``crucial/_node/crucial-node.mjs``, one JavaScript file)
run by the system ``node`` (>= 20; ``CRUCIAL_NODE`` names another binary). It is handed a listening
socket made here, so its address is known before it has loaded (issue 10, start-up).
"""
from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, List, Optional, Tuple

from ..errors import UnavailableError
from .credentials import Credentials, register_credentials
from .endpoint import IPC_PREFIX, MAX_IPC_PATH_BYTES

__all__ = ["LocalDso", "start_local_dso", "find_node", "BUNDLED_NODE", "MIN_NODE_MAJOR"]

# Its log lines keep the name they had in crucial.client.context, which starts the embedded node.
logger = logging.getLogger("crucial.client.context")

#: The DSO node a wheel carries, bundled from the TypeScript sources by scripts/bundle-python-node.mjs.
BUNDLED_NODE = Path(__file__).resolve().parent.parent / "_node" / "crucial-node.mjs"
#: Oldest Node.js major version the bundled node runs on.
MIN_NODE_MAJOR = 20


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
        "or set CRUCIAL_DSO=tcp://host:port to use a node running elsewhere (`python -m crucial dso start` "
        "or `npx crucial dso start` where Node.js is)")


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
        # How it ends (its stdin, SIGTERM / SIGHUP to the program's group) is embedded.ts's too.
        lifeline_ts = (root / "bridges" / "python" / "node" / "lifeline.ts").as_uri()
        script = (
            f"import({guard_ts!r}).then(g => g.installProcessGuard())"
            f".then(() => import({node_ts!r}))"
            f".then(m => m.startDso({{host: {host!r}, port: {int(port)}, listenFd: {'undefined' if listen_fd is None else int(listen_fd)}, "
            "ipcPath: process.env.CRUCIAL_DSO_IPC || undefined, "
            "ipcListenFd: process.env.CRUCIAL_DSO_IPC_FD ? Number(process.env.CRUCIAL_DSO_IPC_FD) : undefined, "
            "token: process.env.CRUCIAL_TOKEN, allowUpload: true}))"
            ".then(n => { console.log('DSO ' + n.address); return import(" + repr(lifeline_ts) + ").then(l => l.closeWithLifeline(n)); })"
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


def _private_dir() -> Optional[str]:
    """A new 0700 directory for the node's Unix socket, or None where there can be none (no AF_UNIX, a path too long)."""
    if not hasattr(socket, "AF_UNIX"):
        return None
    for base in (None, "/tmp"):  # TMPDIR first; a deep one can leave no room for the socket's name
        try:
            path = tempfile.mkdtemp(prefix="crucial-dso-", dir=base)
        except OSError:
            continue
        if len(os.path.join(path, "dso.sock").encode()) <= MAX_IPC_PATH_BYTES:
            return path
        os.rmdir(path)
    return None


def _listen_unix(path: str) -> socket.socket:
    """A listening Unix socket at ``path`` (in a 0700 directory; the file made 0600) for a node to take over."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
        os.chmod(path, 0o600)
        sock.listen(511)
    except OSError as err:
        sock.close()
        raise UnavailableError(f"the DSO node cannot listen on ipc://{path}: {err}") from err
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
    :param ipc: also listen on a Unix socket (``ipc_address``, in a private temporary directory): clients on
        this host that connect there skip TCP (an 8 MB array moves in ~2 ms instead of 3-6)
    :raises UnavailableError: if no node can be started (it names what is missing: ``node``, Node 20)
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", root: Optional[Path] = None, *, wait: bool = True, ipc: bool = False) -> None:
        #: the node's Unix socket address (``ipc://path``) when started with ``ipc=True``, else None
        self.ipc_address: Optional[str] = None
        self._ipc_dir: Optional[str] = None  # mode 0700
        self._ipc_path: Optional[str] = None
        # The listening socket is made here and handed to the node: its address is known now, before the
        # node has loaded (clients that connect meanwhile wait in the backlog), and no other process can
        # take the port in between (issue 10, start-up).
        listener = _listen(host, port)
        unix: Optional[socket.socket] = None
        # A node on zeromq.js (CRUCIAL_TRANSPORT=libzmq, which it inherits) binds its port itself and
        # has no Unix socket: both are crucial's own ZMTP's.
        libzmq = os.environ.get("CRUCIAL_TRANSPORT", "").strip() == "libzmq"
        try:
            cmd, cwd, uses_fd = _node_command(host, port, Path(root) if root else None, None if libzmq else listener.fileno())
            if ipc and libzmq:
                logger.info("CRUCIAL_TRANSPORT=libzmq: the DSO node gets no Unix socket (zmtp only); its clients use TCP")
            elif ipc:
                self._ipc_dir = _private_dir()
                if self._ipc_dir is not None:
                    self._ipc_path = os.path.join(self._ipc_dir, "dso.sock")
                    self.ipc_address = IPC_PREFIX + self._ipc_path
            if not uses_fd:
                listener.close()
            elif self._ipc_path is not None:
                # The Unix socket too, for the same reason; a node that cannot take descriptors binds it itself.
                try:
                    unix = _listen_unix(self._ipc_path)
                except UnavailableError as err:
                    # TCP alone still serves every client: the Unix socket is a fast path, not a need.
                    logger.info("the DSO node gets no Unix socket (%s); its clients use TCP", err)
                    self._drop_ipc()
            self._start(cmd, cwd, listener if uses_fd else None, unix)
        except BaseException:
            self._drop_ipc()  # no node started: nothing of it may be left behind
            raise
        finally:
            listener.close()  # the node has its own copy
            if unix is not None:
                unix.close()
        if wait:
            self.wait_ready()

    def _start(self, cmd: List[str], cwd: Optional[Path], listener: Optional[socket.socket], unix: Optional[socket.socket] = None) -> None:
        self._bundled = cwd is None
        self.root = cwd
        #: the node's PLAIN token: made here, handed to the node in its environment (never on its command line)
        self.token = secrets.token_hex(32)
        logger.info("starting a DSO node: %s", " ".join(cmd[:2]))
        # stdin stays open as a lifeline: the node exits when this process dies and the pipe closes.
        env = {**os.environ, "CRUCIAL_TOKEN": self.token}
        # Nor this process's CRUCIAL_DSO (a node it started earlier): the node's own client (ml.fit's cloud
        # threads) must use the node itself, and refuses to run jobs for another.
        for inherited in ("CRUCIAL_DSO", "CRUCIAL_DSO_IPC", "CRUCIAL_DSO_IPC_FD", "CRUCIAL_DSO_IPC_DIR"):
            env.pop(inherited, None)
        if self._ipc_path is not None:
            env["CRUCIAL_DSO_IPC"] = self._ipc_path
            # The node removes this directory (empty once its socket is gone) when it exits: also after this
            # process was killed, when nothing here runs.
            env["CRUCIAL_DSO_IPC_DIR"] = self._ipc_dir  # type: ignore[assignment]
            if unix is not None:
                env["CRUCIAL_DSO_IPC_FD"] = str(unix.fileno())
            register_credentials(self.ipc_address, Credentials(token=self.token))
        fds = tuple(s.fileno() for s in (listener, unix) if s is not None)
        self.process = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.PIPE, env=env,
                                        stdout=subprocess.PIPE, stderr=None, text=True, pass_fds=fds)
        #: ``tcp://host:port`` of the node: known at once when it was handed its listening socket, else once it listens
        self.address: Optional[str] = None if listener is None else _endpoint(listener)
        self._ready_lock = threading.Lock()
        self._ready = False
        self._stopped = False
        self._failure: Optional[BaseException] = None
        if self.address is not None:
            register_credentials(self.address, Credentials(token=self.token))

    def _withdraw_credentials(self) -> None:
        """This process's clients stop presenting the node's token at its addresses."""
        for address in (self.address, self.ipc_address):
            if address is not None:
                register_credentials(address, None)

    def _remove_ipc_dir(self) -> None:
        """Removes the Unix socket's private directory (a node that closed removed its socket; a killed one did not)."""
        if self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def _drop_ipc(self) -> None:
        """No Unix socket after all: the node serves TCP alone."""
        self._remove_ipc_dir()
        self._ipc_dir = self._ipc_path = self.ipc_address = None

    @property
    def client_address(self) -> Optional[str]:
        """What this host's clients connect to: the Unix socket's address when the node has one, else ``address``."""
        return self.ipc_address if self.ipc_address is not None and self.address is not None else self.address

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
                self._withdraw_credentials()
                self._remove_ipc_dir()
                try:
                    if self._bundled:
                        find_node()  # raises naming the version when the node is too old (the bundle exits at once then)
                    if line == "":
                        # It said why on its stderr, which is this process's.
                        raise UnavailableError(f"the DSO node exited with code {self.process.returncode} before it was ready (its error is above, on stderr)")
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
        self._withdraw_credentials()
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
        self._remove_ipc_dir()

    def __enter__(self) -> "LocalDso":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_local_dso(port: int = 0, host: str = "127.0.0.1", *, ipc: bool = False) -> LocalDso:
    """
    Starts a DSO node as a child process (from the crucial checkout, or the node bundled in the wheel).

    :param port: TCP port, 0 for a free one
    :param host: interface to bind
    :param ipc: also listen on a Unix socket, at ``.ipc_address`` (``crucial.connect(node.ipc_address)``):
        this host's clients skip TCP there, and large arrays move about twice as fast
    :return: the running node (``.address``, ``.stop()``; also a context manager)
    """
    return LocalDso(port=port, host=host, ipc=ipc)
