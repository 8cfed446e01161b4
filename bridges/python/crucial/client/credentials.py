"""
Where a client finds the credentials of the node it connects to, as ``core/protocol/transport/credentials.ts``
does for TypeScript (README, "Trust model"):

1. a node this process started (the embedded node) registered them under its address;
2. ``CRUCIAL_TOKEN_FILE`` (a file holding the token, or CURVE credentials JSON), else ``CRUCIAL_TOKEN``,
   for the node ``CRUCIAL_DSO`` names (any node when ``CRUCIAL_DSO`` is unset);
3. for a node on loopback, the runtime file ``crucial dso start`` wrote for its port
   (``<runtime dir>/dso-<port>.token``, mode 0600, readable by its user only); for ``ipc://path``, the one
   it wrote for that socket (``dso-ipc-<hash of the absolute path>.token``).

Nothing found: no credentials (the NULL mechanism), which a node that demands them refuses with
``ERR_UNAUTHORIZED``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional

from ..errors import InvalidOptionError
from .endpoint import IPC_PREFIX, checked_ipc_path

if TYPE_CHECKING:  # pyzmq loads with the first connection, not with the executor that only needs the token
    import zmq

__all__ = ["Credentials", "PLAIN_USERNAME", "credentials_for", "register_credentials", "read_credentials_file",
           "runtime_dir", "runtime_token_file", "runtime_ipc_token_file", "runtime_owner_file", "is_stale_runtime_file"]

#: the PLAIN user name crucial clients send (the node knows a client by its token)
PLAIN_USERNAME = "crucial"


class Credentials:
    """
    What a client presents at the ZMTP handshake: a PLAIN token, or a CURVE key pair and the node's key.

    :param token: the node's PLAIN token
    :param server_key: CURVE: the node's public key (Z85)
    :param public_key: CURVE: this client's public key (Z85)
    :param secret_key: CURVE: this client's secret key (Z85)
    :raises InvalidOptionError: if both a token and keys are given, or a CURVE key is not 40 characters of Z85
    """

    def __init__(self, token: Optional[str] = None, server_key: Optional[str] = None,
                 public_key: Optional[str] = None, secret_key: Optional[str] = None) -> None:
        curve = (server_key, public_key, secret_key)
        if token is not None and any(k is not None for k in curve):
            raise InvalidOptionError("credentials are a PLAIN token or CURVE keys, not both")
        if token is None and not all(isinstance(k, str) and len(k) == 40 for k in curve):
            raise InvalidOptionError("CURVE credentials need server_key, public_key and secret_key (40 characters of Z85 each)")
        self.token = token
        self.server_key = server_key
        self.public_key = public_key
        self.secret_key = secret_key

    @property
    def mechanism(self) -> str:
        """``PLAIN`` or ``CURVE``."""
        return "PLAIN" if self.token is not None else "CURVE"

    def apply(self, sock: zmq.Socket) -> None:
        """Sets the socket's security options (before it connects)."""
        import zmq

        if self.token is not None:
            sock.setsockopt(zmq.PLAIN_USERNAME, PLAIN_USERNAME.encode())
            sock.setsockopt(zmq.PLAIN_PASSWORD, self.token.encode())
        else:
            sock.setsockopt(zmq.CURVE_SERVERKEY, self.server_key.encode())  # type: ignore[union-attr]
            sock.setsockopt(zmq.CURVE_PUBLICKEY, self.public_key.encode())  # type: ignore[union-attr]
            sock.setsockopt(zmq.CURVE_SECRETKEY, self.secret_key.encode())  # type: ignore[union-attr]

    def __repr__(self) -> str:  # never the secret
        return f"Credentials({self.mechanism})"


_registered: Dict[str, Credentials] = {}
_lock = threading.Lock()


#: Bumped by every :func:`register_credentials`: a cache of what the registry said is current while it is unchanged.
generation = 0


def register_credentials(address: str, credentials: Optional[Credentials]) -> None:
    """Registers (or, with None, forgets) the credentials of a node this process started."""
    global generation
    with _lock:
        if credentials is None:
            _registered.pop(address, None)
        else:
            _registered[address] = credentials
        generation += 1


def registered_credentials(address: str) -> Optional[Credentials]:
    """The credentials registered for ``address`` by :func:`register_credentials`, or None."""
    with _lock:
        return _registered.get(address)


def runtime_dir() -> Path:
    """``CRUCIAL_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/crucial``, else ``~/.local/share/crucial/runtime``."""
    env = os.environ
    if env.get("CRUCIAL_RUNTIME_DIR"):
        return Path(env["CRUCIAL_RUNTIME_DIR"])
    if env.get("XDG_RUNTIME_DIR"):
        return Path(env["XDG_RUNTIME_DIR"]) / "crucial"
    return Path.home() / ".local" / "share" / "crucial" / "runtime"


def runtime_token_file(port: int) -> Path:
    """The runtime file of a node ``crucial dso start`` started on ``port``."""
    return runtime_dir() / f"dso-{port}.token"


def runtime_ipc_token_file(path: str) -> Path:
    """
    The runtime file of a node ``crucial dso start --ipc <path>`` started: named by a hash of the
    socket's absolute path, as the TypeScript side names it. It outlives the node, as a fixed port's does.
    """
    digest = hashlib.sha256(os.path.abspath(path).encode()).hexdigest()[:16]
    return runtime_dir() / f"dso-ipc-{digest}.token"


def runtime_owner_file(port: int) -> Path:
    """The pid file beside the runtime file of a node on an ephemeral port (see :func:`is_stale_runtime_file`)."""
    return runtime_dir() / f"dso-{port}.pid"


def is_stale_runtime_file(port: int) -> bool:
    """
    True when the runtime file of ``port`` was left by a node on an ephemeral port that died without
    cleaning up (kill -9): the kernel hands such a port to anyone next, and the token must not follow it.
    A fixed port has no owner file: its token outlives restarts on purpose.
    """
    try:
        text = runtime_owner_file(port).read_text().strip()
    except OSError:
        return False
    try:
        pid = int(text)
    except ValueError:
        return True
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def _parse(text: str, where: str) -> Credentials:
    text = text.strip()
    if text.startswith("{"):
        try:
            v = json.loads(text)
        except ValueError as err:
            raise InvalidOptionError(f"{where} is neither a token nor CURVE credentials JSON") from err
        if not isinstance(v, dict):
            raise InvalidOptionError(f"{where}: CURVE credentials must be a JSON object")
        return Credentials(server_key=v.get("serverKey"), public_key=v.get("publicKey"), secret_key=v.get("secretKey"))
    if not text or re.search(r"\s", text):
        raise InvalidOptionError(f"{where} holds no token (one line, no spaces)")
    return Credentials(token=text)


def read_credentials_file(path: "str | os.PathLike[str]") -> Credentials:
    """
    Reads a credentials file: one line holding a PLAIN token, or ``{"serverKey", "publicKey", "secretKey"}``.

    :raises InvalidOptionError: if it cannot be read or holds neither
    """
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise InvalidOptionError(f"cannot read the credentials file {path}: {err}") from err
    return _parse(text, str(path))


def credentials_for(address: str) -> Optional[Credentials]:
    """
    The credentials to present to the node at ``address``, found as the module says; None for none.

    :raises InvalidOptionError: if ``CRUCIAL_TOKEN_FILE`` cannot be read or parsed
    """
    with _lock:
        mine = _registered.get(address)
    if mine is not None:
        return mine
    env = os.environ
    if not env.get("CRUCIAL_DSO") or env.get("CRUCIAL_DSO") == address:
        if env.get("CRUCIAL_TOKEN_FILE"):
            return read_credentials_file(env["CRUCIAL_TOKEN_FILE"])
        if env.get("CRUCIAL_TOKEN"):
            return _parse(env["CRUCIAL_TOKEN"], "CRUCIAL_TOKEN")
    if address.startswith(IPC_PREFIX):
        try:
            path = checked_ipc_path(address)
            return read_credentials_file(runtime_ipc_token_file(path)) if path is not None else None
        except InvalidOptionError:
            return None
    m = re.match(r"^tcp://\[?([^\]]+?)\]?:(\d+)$", address)
    if m is None:
        return None
    host = m.group(1)
    if not (host == "localhost" or host == "::1" or host.startswith("127.")):
        return None
    if is_stale_runtime_file(int(m.group(2))):
        return None
    try:
        return read_credentials_file(runtime_token_file(int(m.group(2))))
    except InvalidOptionError:
        return None
