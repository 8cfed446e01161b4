"""
The parent's node, as each task carries it to its worker: workers use the parent's node, whenever it
was started, with the credentials the parent presents to it.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Optional

from ..errors import InvalidOptionError

# (address, registry generation, CRUCIAL_TOKEN, CRUCIAL_TOKEN_FILE) -> what _parent_dso said for them
_dso_cache: Optional[tuple] = None
_credentials: Any = None  # crucial.client.credentials, imported on first use (it imports zmq)
# os.environ.get decodes key and value (~0.7 us each, three per task); the cache key reads the raw
# mapping os.environ keeps in step with every change made through it (None where it has none).
_env_raw: Optional[Dict[Any, Any]] = getattr(os.environ, "_data", None)
if not isinstance(_env_raw, dict):
    _env_raw = None
_K_DSO, _K_TOKEN, _K_TOKEN_FILE = (os.environ.encodekey(k) for k in ("CRUCIAL_DSO", "CRUCIAL_TOKEN", "CRUCIAL_TOKEN_FILE"))


def _parent_dso() -> Any:
    """
    The parent's node for a task: its address, with the credentials this process presents to it (a
    token, or CURVE credentials as JSON) when it has some; a worker may predate the node or its token.
    Kept while the address, the registry and the token variables are unchanged, when the credentials
    come from the registry or ``CRUCIAL_TOKEN`` (issue 13: ~3 us per task); credentials read from a
    file are read again for every task (the file may change under a node restarted on the same port).
    """
    global _dso_cache, _credentials
    raw = _env_raw
    if raw is not None:
        key = (raw.get(_K_DSO), raw.get(_K_TOKEN), raw.get(_K_TOKEN_FILE), _credentials and _credentials.generation)
        cached = _dso_cache
        if cached is not None and cached[0] == key:
            return cached[1]
    env = os.environ
    address = env.get("CRUCIAL_DSO")
    if not address:
        return address
    cr = _credentials
    if cr is None:
        from ..client import credentials as cr

        _credentials = cr
    token, token_file = env.get("CRUCIAL_TOKEN"), env.get("CRUCIAL_TOKEN_FILE")
    if raw is not None:
        key = (raw.get(_K_DSO), raw.get(_K_TOKEN), raw.get(_K_TOKEN_FILE), cr.generation)
    try:
        creds = cr.credentials_for(address)
    except InvalidOptionError:
        creds = None
    if creds is None:
        value: Any = address
    elif creds.token is not None:
        value = (address, creds.token)
    else:
        value = (address, json.dumps({"serverKey": creds.server_key, "publicKey": creds.public_key, "secretKey": creds.secret_key}))
    if raw is not None and (cr.registered_credentials(address) is not None or (token is not None and token_file is None)):
        _dso_cache = (key, value)
    return value
