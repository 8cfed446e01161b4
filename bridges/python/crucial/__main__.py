"""
``python -m crucial ...``: the ``crucial`` command line (``crucial dso start``, ``crucial ml serve``;
``--help`` lists them), so a pip-only user can run a node other programs share (``CRUCIAL_DSO``). It is
the npm package's own command, run by Node.js: bundled in the wheel (``crucial/_node/crucial-cli.mjs``),
or a checkout's sources where this package lies in one (or ``CRUCIAL_HOME`` names one).
"""
from __future__ import annotations

import os
import sys
from typing import List, Optional

from .client.local_dso import BUNDLED_NODE, _checkout, _node_binary
from .errors import UnavailableError

#: The command line bundled beside the node (scripts/bundle-python-node.mjs).
BUNDLED_CLI = BUNDLED_NODE.with_name("crucial-cli.mjs")


def command(argv: List[str]) -> List[str]:
    """
    The process that runs ``crucial ARGV``: Node.js and the checkout's command, else the bundled one.

    :raises UnavailableError: if there is no Node.js, or neither a checkout nor a bundled command line
    """
    node = _node_binary()
    checkout = _checkout()
    if checkout is not None and (checkout / "core" / "cli" / "bin.js").is_file():
        return [node, str(checkout / "core" / "cli" / "bin.js"), *argv]
    if BUNDLED_CLI.is_file():
        return [node, str(BUNDLED_CLI), *argv]
    raise UnavailableError(f"this crucial package has no command line bundled at {BUNDLED_CLI} and is not inside a checkout")


def main(argv: Optional[List[str]] = None) -> int:
    """Replaces this process with the command (signals reach the node directly); returns 2 if it cannot start."""
    try:
        cmd = command(sys.argv[1:] if argv is None else argv)
    except UnavailableError as err:
        print(f"crucial: {err}", file=sys.stderr)
        return 2
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(cmd[0], cmd)
    return 0  # pragma: no cover (execv does not return)


if __name__ == "__main__":
    sys.exit(main())
